// Small things several drills need: a copy of the sandbox config with one change (the sandbox's own
// file is never edited), JSON out of a run, waiting with the drill's abort signal, a free port.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { CliRun, DrillContext } from './types.js';

/** Writes `<dir>/run/drill-<name>.yaml`: the sandbox config as `change` leaves it. Returns its path. */
export async function configCopy(ctx: DrillContext, name: string, change: (doc: Record<string, any>) => void): Promise<string> {
  const doc = parse(readFileSync(ctx.config, 'utf8')) as Record<string, any>;
  change(doc);
  const path = join(ctx.dir, 'run', `drill-${name}.yaml`);
  await writeFileAtomic(path, `# A drill's copy of swarmctl.yaml (swarmctl drill ${name}); the sandbox's own file is unchanged.\n${stringify(doc)}`);
  return path;
}

/** The JSON document a `--json` run printed; throws with the run's stderr when there is none. */
export function jsonOf<T = any>(r: CliRun, what: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${what} printed no JSON (exit ${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `ms` pass (then undefined). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, ms: number, signal?: AbortSignal, everyMs = 200): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs, signal);
  }
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export { freePort } from '../io/free-port.js';
