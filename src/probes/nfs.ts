// Shared-filesystem (NFS) probe. A hung NFS call inside our process would pin one
// of libuv's 4 threadpool threads for good (four of them freeze all file I/O), so
// every touch of the share happens in a CHILD process started as
// `timeout -s KILL N stat -f PATH` (and, with write_check, `tee`/`cat`/`rm` of a
// probe file, same wrapper); we also stop waiting at our own deadline, because a
// child stuck in the kernel may not die at once. At most one probe per mount is
// outstanding: while one hangs, the mount is reported down "no answer for N s"
// and no new child is started.
//
// Mount decision (documented in README "Probes"): /proc/self/mountinfo is read
// (procfs, never blocks on NFS). If the path is a mount point, its fstype goes in
// details. If it is not, and /etc/fstab lists it, the share is down "not mounted
// (fstab lists it)". Otherwise it is a plain directory (the loopback test cluster's
// "share") and is checked the same way, with `mounted: false` in details.
import { readFile } from 'node:fs/promises';
import type { NamedService } from '../config/resolve.js';
import { runLocal, type RunResult } from '../io/run.js';
import { elapsedSince, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';

interface Outstanding {
  startedAt: number;
  done: Promise<unknown>;
}
const outstanding = new Map<string, Outstanding>();

/** Pure: the mount entry for `path` in mountinfo text, or undefined. */
export function findMount(mountinfo: string, path: string): { fstype: string; source: string } | undefined {
  const want = path.replace(/\/+$/, '') || '/';
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (pre === undefined || post === undefined) continue;
    const mp = unescapeMount(pre.split(' ')[4] ?? '');
    if (mp !== want) continue;
    const [fstype = '', source = ''] = post.split(' ');
    return { fstype, source };
  }
  return undefined;
}

/** Pure: true when an fstab text lists `path` as a mount point. */
export function fstabLists(fstab: string, path: string): boolean {
  const want = path.replace(/\/+$/, '') || '/';
  return fstab.split('\n').some((l) => {
    const t = l.trim();
    if (t === '' || t.startsWith('#')) return false;
    return unescapeMount(t.split(/\s+/)[1] ?? '') === want;
  });
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Pure: what a failed child run means. */
export function classifyFsFailure(step: string, r: RunResult): { status: 'down'; reason: string } {
  const err = `${r.stderr}`.trim().split('\n').pop() ?? '';
  if (/stale (nfs )?file handle/i.test(r.stderr)) return { status: 'down', reason: 'stale file handle' };
  if (r.spawnError !== undefined) return { status: 'down', reason: `${step}: ${r.spawnError}` };
  if (r.timedOut || r.signal === 'SIGKILL' || r.exitCode === 137 || r.exitCode === 124) {
    return { status: 'down', reason: `${step}: no answer (killed after the timeout)` };
  }
  return { status: 'down', reason: `${step} failed: ${err.slice(0, 160) || `exit ${r.exitCode ?? r.signal}`}` };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export async function probeNfs(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const mount = svc.mount;
  if (mount === undefined) return { status: 'unknown', reason: 'no mount configured', latencyMs: null };
  const now = ctx.now ?? Date.now;
  const prev = outstanding.get(mount);
  if (prev !== undefined) {
    const s = Math.round((now() - prev.startedAt) / 1000);
    return { status: 'down', reason: `no answer for ${s} s (earlier check still hung)`, latencyMs: null, details: { mount, outstanding: true } };
  }
  const started = performance.now();
  const entry = findMount(await readText('/proc/self/mountinfo'), mount);
  const details: Record<string, unknown> = { mount, mounted: entry !== undefined };
  if (entry !== undefined) details['fstype'] = entry.fstype;
  if (entry === undefined && fstabLists(await readText('/etc/fstab'), mount)) {
    return { status: 'down', reason: 'not mounted (fstab lists it)', latencyMs: elapsedSince(started), details };
  }

  const timeoutS = Math.max(1, Math.ceil(ctx.timeoutMs / 1000));
  const work = checkInChildren(mount, svc.write_check, timeoutS, ctx.timeoutMs);
  const mine: Outstanding = { startedAt: now(), done: work };
  outstanding.set(mount, mine);
  void work.finally(() => {
    if (outstanding.get(mount) === mine) outstanding.delete(mount);
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), ctx.timeoutMs + 250);
  });
  const r = await Promise.race([work, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') {
    return { status: 'down', reason: `no answer for ${timeoutS} s`, latencyMs: elapsedSince(started), details };
  }
  const latencyMs = elapsedSince(started);
  if (r.status === 'down') return { status: 'down', reason: r.reason, latencyMs, details };
  Object.assign(details, r.details);
  const plain = entry === undefined ? ' (plain directory, not a mount point)' : '';
  return { status: 'up', reason: `${r.reason}${plain}`, latencyMs, details };
}

type Check = { status: 'up'; reason: string; details: Record<string, unknown> } | { status: 'down'; reason: string };

async function checkInChildren(mount: string, write: boolean, timeoutS: number, timeoutMs: number): Promise<Check> {
  // runLocal's own limit is a backstop: `timeout -s KILL` does the killing.
  const run = (argv: string[], input?: string) => runLocal({ argv: ['timeout', '-s', 'KILL', String(timeoutS), ...argv], timeoutMs: timeoutMs + 1000, ...(input !== undefined ? { input } : {}) });
  const st = await run(['stat', '-f', '-c', '%T %b %a %S', mount]);
  if (!st.ok) return classifyFsFailure('stat -f', st);
  const [fsType, blocks, avail, bsize] = st.stdout.trim().split(/\s+/);
  const details: Record<string, unknown> = { fsTypeStat: fsType };
  const b = Number(blocks),
    a = Number(avail),
    bs = Number(bsize);
  if (Number.isFinite(b) && Number.isFinite(a) && Number.isFinite(bs) && b > 0) {
    details['freeBytes'] = a * bs;
    details['usedPercent'] = Math.round((1 - a / b) * 1000) / 10;
  }
  if (!write) return { status: 'up', reason: 'stat ok', details };
  const file = `${mount.replace(/\/+$/, '')}/.swarmctl-probe-${process.pid}`;
  const token = `swarmctl-probe ${Date.now()}\n`;
  const w = await run(['tee', file], token);
  if (!w.ok) return classifyFsFailure('write probe file', w);
  const rd = await run(['cat', file]);
  await run(['rm', '-f', file]);
  if (!rd.ok) return classifyFsFailure('read probe file', rd);
  if (rd.stdout !== token) return { status: 'down', reason: 'probe file read back differently' };
  return { status: 'up', reason: 'stat and write+read ok', details: { ...details, writeCheck: true } };
}

/** Test hook: how many mounts have a probe in flight. */
export function outstandingNfsProbes(): number {
  return outstanding.size;
}
