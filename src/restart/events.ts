// The NDJSON events a restart run emits (`restart --json`), one per line. Pure types.
export type RestartEvent =
  | { event: 'run_start'; run_id: number; resumed: boolean; steps: string[]; at: string }
  | { event: 'step_start'; run_id: number; step: string; n: number; of: number; host: string; at: string }
  | { event: 'check'; run_id: number; step: string; status: string; reason: string; at: string }
  | { event: 'action'; run_id: number; step: string; argv: string[]; host: string; exit_code: number | null; ok: boolean; duration_ms: number; at: string; output_tail?: string }
  | { event: 'verify'; run_id: number; step: string; status: string; reason: string; attempt: number; elapsed_ms: number; at: string }
  | { event: 'step_done'; run_id: number; step: string; outcome: 'healthy' | 'started' | 'rechecked'; elapsed_ms: number; at: string; detail?: string }
  | { event: 'step_failed'; run_id: number; step: string; reason: string; blocks: string[]; elapsed_ms: number; at: string }
  | { event: 'step_skipped'; run_id: number; step: string; reason: string; at: string }
  | { event: 'run_done'; run_id: number; status: 'done' | 'failed'; done: number; failed: number; skipped: number; elapsed_ms: number; at: string }
  // The run could not start (the operator lock held, no run to resume): the only line, so a reader's last line is always run_done.
  | { event: 'run_done'; run_id: null; status: 'refused'; reason: string; exit_code: number; holder?: unknown; done: 0; failed: 0; skipped: 0; elapsed_ms: 0; at: string };

export type EventSink = (e: RestartEvent) => void;
