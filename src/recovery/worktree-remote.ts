// Checks and archives a worktree ON the host that owns it, over OpenSSH (io/run.ts's runner;
// every word quoted by io/remote-quote.ts): the python worker keeps worktrees in a folder local
// to the host that ran the issue, and its next run deletes them, so what a failed run left is
// moved into the archive folder on that host first, never deleted. The questions are asked one
// at a time and each answer goes to the pure decision (worktree-remote-decide.ts); an SSH
// failure anywhere, or an answer it does not understand, is a refusal with nothing moved.
import type { NamedHost } from '../config/resolve.js';
import { isSshTransportFailure, runOnHost, describeFailure, type RunResult } from '../io/run.js';
import { decideArchive, verifyMove, type Answer, type RemoteWorktreeCheck, type WorktreeFacts } from './worktree-remote-decide.js';

export interface RemoteArchiveResult {
  outcome: 'ok' | 'skipped' | 'failed';
  detail: string;
  /** Every command run on the host, in order. */
  argv: string[][];
  archived?: { from: string; to: string };
  facts?: WorktreeFacts;
}

export interface RemoteArchiveRequest {
  host: NamedHost;
  root: string;
  path: string;
  archiveRoot: string;
  /** `<archiveRoot>/<issue>/<stamp>.worktree`, checked by the caller (io/safe-path archivePath). */
  dest: string;
  timeoutMs: number;
  connectTimeoutS: number;
}

const QUESTIONS = {
  stat: (r: RemoteArchiveRequest) => ['stat', '-c', '%F', '--', r.path],
  realpaths: (r: RemoteArchiveRequest) => ['realpath', '-m', '--', r.root, r.path, r.archiveRoot],
  toplevel: (r: RemoteArchiveRequest) => ['git', '-C', r.path, 'rev-parse', '--show-toplevel'],
  status: (r: RemoteArchiveRequest) => ['git', '-C', r.path, 'status', '--porcelain', '--branch'],
} as const;

export async function archiveRemoteWorktree(req: RemoteArchiveRequest): Promise<RemoteArchiveResult> {
  const argv: string[][] = [];
  const run = async (words: string[]): Promise<RunResult> => {
    argv.push(words);
    // LC_ALL=C: stat's file type names and the error texts the decision reads are the C locale's.
    return runOnHost(req.host, { argv: words, env: { LC_ALL: 'C' }, timeoutMs: req.timeoutMs, maxBuffer: 1024 * 1024 }, { connectTimeoutS: req.connectTimeoutS });
  };
  const answer = (r: RunResult): Answer => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
  const check: RemoteWorktreeCheck = { host: req.host.name, root: req.root, path: req.path, archiveRoot: req.archiveRoot };
  let d = decideArchive(check);
  while (d.action === 'ask') {
    const r = await run(QUESTIONS[d.next](req));
    if (isSshTransportFailure(r)) check.transport = describeFailure(r);
    else check[d.next] = answer(r);
    d = decideArchive(check);
  }
  if (d.action === 'refuse') return { outcome: 'failed', detail: d.detail, argv };
  if (d.action === 'skip') return { outcome: 'skipped', detail: d.detail, argv };
  const parent = req.dest.slice(0, req.dest.lastIndexOf('/'));
  const steps: Array<[string[], string]> = [
    [['mkdir', '-p', '-m', '700', '--', parent], 'create the archive folder'],
    // -T: the destination is the new name, never a folder to move into; -n: never overwrite.
    [['mv', '-T', '-n', '--', req.path, req.dest], 'move'],
  ];
  for (const [words, what] of steps) {
    const r = await run(words);
    if (!r.ok) return { outcome: 'failed', detail: `${d.detail}; ${what} failed on ${req.host.name}: ${describeFailure(r)}`, argv, facts: d.facts };
  }
  const [dest, source] = [await run(['stat', '-c', '%F', '--', req.dest]), await run(['stat', '-c', '%F', '--', req.path])];
  const v = isSshTransportFailure(dest) || isSshTransportFailure(source) ? { ok: false, detail: `the move could not be verified: ${describeFailure(dest)}` } : verifyMove(answer(dest), answer(source));
  if (!v.ok) return { outcome: 'failed', detail: `${d.detail}; ${v.detail}`, argv, facts: d.facts };
  const from = `${req.host.name}:${req.path}`;
  const to = `${req.host.name}:${req.dest}`;
  return { outcome: 'ok', detail: `${d.detail}; moved to ${req.dest} on ${req.host.name}`, argv, archived: { from, to }, facts: d.facts };
}
