// Flags a RUNNING job whose issue has written nothing (session log, telemetry record,
// job log) for longer than `thresholds.stale_worker_s`: seed 000's heartbeat/stale idea
// at swarm time scales. `classifySilence` is pure; `checkSilence` stats the files.
import { stat } from 'node:fs/promises';

export interface ActivityTimes {
  sessionLogMs?: number | null;
  telemetryMs?: number | null;
  jobLogMs?: number | null;
}

export interface SilenceVerdict {
  silent: boolean;
  /** Newest activity and where it came from (null when nothing was ever written). */
  newestMs: number | null;
  source: keyof ActivityTimes | null;
  ageS: number | null;
  reason: string;
}

export function classifySilence(jobState: string, times: ActivityTimes, nowMs: number, thresholdS: number, jobStartMs?: number | null): SilenceVerdict {
  let newestMs: number | null = null;
  let source: keyof ActivityTimes | null = null;
  for (const k of ['sessionLogMs', 'telemetryMs', 'jobLogMs'] as const) {
    const v = times[k];
    if (typeof v === 'number' && Number.isFinite(v) && (newestMs === null || v > newestMs)) {
      newestMs = v;
      source = k;
    }
  }
  if (jobState !== 'RUNNING') return { silent: false, newestMs, source, ageS: newestMs === null ? null : (nowMs - newestMs) / 1000, reason: `job is ${jobState}, not RUNNING` };
  // Nothing written yet: measure from the job's start when known.
  const ref = newestMs ?? jobStartMs ?? null;
  if (ref === null) return { silent: false, newestMs, source, ageS: null, reason: 'no activity and no start time to measure from' };
  const ageS = Math.max(0, (nowMs - ref) / 1000);
  const silent = ageS > thresholdS;
  const what = newestMs === null ? 'nothing written since the job started' : `last write ${source} ${Math.round(ageS)} s ago`;
  return { silent, newestMs, source, ageS, reason: silent ? `silent: ${what} (threshold ${thresholdS} s)` : what };
}

async function mtime(p: string | undefined): Promise<number | null> {
  if (!p) return null;
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return null;
  }
}

/** Stats the session log and job log; `telemetryMs` is the latest record time (from the index). */
export async function checkSilence(
  job: { state: string; startMs?: number | null },
  files: { sessionLog?: string; jobLog?: string },
  telemetryMs: number | null,
  thresholdS: number,
  nowMs = Date.now(),
): Promise<SilenceVerdict> {
  const [s, j] = await Promise.all([mtime(files.sessionLog), mtime(files.jobLog)]);
  return classifySilence(job.state, { sessionLogMs: s, telemetryMs, jobLogMs: j }, nowMs, thresholdS, job.startMs ?? null);
}
