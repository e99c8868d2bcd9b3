// The drills' two small tools: one `swarmctl … --json` run read as its JSON document (or a
// one-line failure naming the command), and a bounded wait for something to become true.
import { runLocal } from '../io/run.js';
import type { CliRun, DrillContext } from './types.js';

export async function swarmctlJson<T>(ctx: DrillContext, args: string[], timeoutMs = 60_000): Promise<{ run: CliRun; doc: T }> {
  const run = await ctx.swarmctl([...args, '--json'], { timeoutMs });
  try {
    return { run, doc: JSON.parse(run.stdout) as T };
  } catch {
    const why = run.stderr.trim().split('\n').pop() ?? '';
    throw new Error(`swarmctl ${args.join(' ')} --json printed no JSON document (exit ${run.code})${why ? `: ${why}` : ''}`);
  }
}

/** Polls `probe` until it gives a value (not null/undefined); throws naming `what` (and what was last seen) after `timeoutMs`. */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | null | undefined> | T | null | undefined,
  timeoutMs: number,
  everyMs = 1000,
  signal?: AbortSignal,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // The drill's time bound (or Ctrl-C) passed: stop polling, its cleanups run next.
    if (signal?.aborted) throw new Error(`stopped waiting for ${typeof what === 'string' ? what : what()}`);
    const v = await probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() + everyMs > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * An undo step's `swarmctl` run: not through ctx.swarmctl, whose runs stop with the drill's
 * signal, which is aborted by the time the cleanups run. Throws when it fails.
 */
export async function swarmctlForCleanup(ctx: DrillContext, args: string[]): Promise<void> {
  const env = Object.fromEntries(Object.entries(ctx.env).filter((e): e is [string, string] => e[1] !== undefined));
  const r = await runLocal({ argv: ctx.swarmctlArgv(args), env, timeoutMs: 30_000 });
  if (!r.ok) throw new Error(`swarmctl ${args.join(' ')} (exit ${r.exitCode ?? r.spawnError}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
}
