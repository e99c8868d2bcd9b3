// Starting one of the sandbox's endpoints again on its own port (`swarmctl sandbox start NAME`: the
// `start` that `swarmctl restart` runs for the sandbox's services, and a drill's undo). Recorded in
// sandbox.json like every start, so `sandbox down` stops it; its discovery record follows the new pid.
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { layoutOf } from './config-yaml.js';
import { withDirLock } from './dir-lock.js';
import { stillSame } from '../io/proc.js';
import { readState, writeState, type ProcRecord } from './records.js';
import { startRecorded, waitForPort } from './start.js';

export class StartEndpointError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface StartEndpointResult {
  rec: ProcRecord;
  port: number;
  /** False: it was running already (same pid and start time), nothing started. */
  started: boolean;
  /** The discovery record renamed to the new pid, if there was one. */
  discovery?: string;
}

export async function startEndpoint(dir: string, name: string): Promise<StartEndpointResult> {
  return withDirLock(dir, async () => {
    const state = readState(dir);
    if (!state) throw new StartEndpointError(`no sandbox in ${dir} (no sandbox.json)`, true);
    const ep = state.endpoints[name];
    const old = [...state.processes].reverse().find((p) => p.name === `endpoint:${name}`);
    if (!ep || !old) throw new StartEndpointError(`the sandbox has no endpoint ${name}: it has ${Object.keys(state.endpoints).join(', ')}`, true);
    if (stillSame(old.pid, old.startTime)) return { rec: old, port: ep.port, started: false };
    // The same command line as `up` ran, on the port it got then (clients and the config name it).
    const argv = [...old.argv];
    const i = argv.indexOf('--port');
    if (i < 0 || i + 1 >= argv.length) throw new StartEndpointError(`the recorded command of endpoint:${name} has no --port`);
    argv[i + 1] = String(ep.port);
    const L = layoutOf(dir);
    const out = join(L.run, `${name}.out`);
    writeFileSync(out, '');
    const rec = startRecorded(`endpoint:${name}`, argv, { out });
    state.processes = [...state.processes.filter((p) => p !== old), rec];
    await writeState(state);
    const port = await waitForPort(out);
    if (port !== ep.port) throw new StartEndpointError(`endpoint ${name} came up on port ${port}, not ${ep.port}`);
    const discovery = await followPid(L.endpoints, ep.port, old.pid, rec.pid);
    return { rec, port, started: true, ...(discovery ? { discovery } : {}) };
  });
}

/** The discovery record of this port that named the old pid now names the new one (same shape, atomic). */
async function followPid(endpointsDir: string, port: number, oldPid: number, newPid: number): Promise<string | undefined> {
  let names: string[];
  try {
    names = readdirSync(endpointsDir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return undefined;
  }
  const pidRe = new RegExp(`(^|\\D)${oldPid}(?!\\d)`);
  for (const n of names) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(readFileSync(join(endpointsDir, n), 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const jobId = String(doc['job_id'] ?? '');
    if (doc['port'] !== port || !pidRe.test(jobId)) continue;
    doc['job_id'] = jobId.replace(pidRe, `$1${newPid}`);
    const to = pidRe.test(n) ? n.replace(pidRe, `$1${newPid}`) : n;
    await writeFileAtomic(join(endpointsDir, to), `${JSON.stringify(doc, null, 4)}\n`);
    if (to !== n) unlinkSync(join(endpointsDir, n));
    return to;
  }
  return undefined;
}
