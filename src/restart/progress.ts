// Human progress for a restart run in a terminal: step n of m, the command running,
// elapsed time, each verify attempt. Writes lines (no cursor tricks): it also reads
// well in a log file or over a slow SSH link.
import type { EventSink } from './events.js';

export function progressPrinter(out: NodeJS.WritableStream): EventSink {
  const w = (s: string) => out.write(`${s}\n`);
  return (e) => {
    switch (e.event) {
      case 'run_start':
        return w(`restart run ${e.run_id}${e.resumed ? ' (resumed)' : ''}: ${e.steps.join(' → ')}`);
      case 'step_start':
        return w(`[${e.n}/${e.of}] ${e.step} on ${e.host}`);
      case 'check':
        return w(`  check: ${e.status} (${e.reason})`);
      case 'action':
        return w(`  $ ${e.argv.join(' ')}  → ${e.ok ? 'ok' : `exit ${e.exit_code ?? '?'}`} in ${(e.duration_ms / 1000).toFixed(1)} s`);
      case 'verify':
        return w(`  verify #${e.attempt} at ${(e.elapsed_ms / 1000).toFixed(1)} s: ${e.status} (${e.reason})`);
      case 'step_done':
        return w(`  ✓ ${e.step} ${e.outcome} (${(e.elapsed_ms / 1000).toFixed(1)} s)`);
      case 'step_failed':
        return w(`  ✗ ${e.step} failed: ${e.reason}${e.blocks.length ? `; blocks ${e.blocks.join(', ')}` : ''}`);
      case 'step_skipped':
        return w(`  - ${e.step} skipped: ${e.reason}`);
      case 'run_done':
        return w(`run ${e.run_id} ${e.status}: ${e.done} done, ${e.failed} failed, ${e.skipped} skipped in ${(e.elapsed_ms / 1000).toFixed(1)} s`);
    }
  };
}
