// Starting a process the sandbox owns: detached in its own process group (so `down` can stop it
// and its children together), output to a file, and recorded before anything else happens.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { procIdentity } from '../io/proc.js';
import type { ProcRecord } from './records.js';

export function startRecorded(name: string, argv: string[], opts: { out: string; env?: NodeJS.ProcessEnv; cwd?: string }): ProcRecord {
  const fd = openSync(opts.out, 'a', 0o644);
  try {
    const child = spawn(argv[0] as string, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${name}: ${argv[0]} did not run`);
    const id = procIdentity(pid);
    if (!id) throw new Error(`${name} (${argv[0]}) exited at once; see ${opts.out}`);
    return { name, pid, startTime: id.startTime, pgid: id.pgid, argv, startedAt: new Date().toISOString() };
  } finally {
    closeSync(fd);
  }
}

/** Waits for the test server's `{"port":P,"pid":N}` line in its output file. */
export async function waitForPort(out: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      /* not written yet */
    }
    const m = /\{"port":(\d+),"pid":\d+\}/.exec(text);
    if (m) return Number(m[1]);
    if (Date.now() > deadline) throw new Error(`test server did not report its port within ${timeoutMs / 1000} s; see ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
