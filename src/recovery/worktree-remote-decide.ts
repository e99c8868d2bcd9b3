// The pure half of archiving a worktree that lives on the host that ran the issue (profile
// worktrees.location `run_host`, the python worker's /tmp/beefcake-wt): which host owns it,
// and, from what that host answered over SSH (realpath, stat, git), whether to move it into
// the archive there, skip it (nothing there) or refuse. Anything not understood is refused:
// an unreachable host, a symlink, a FIFO, output we cannot read. No I/O.
import { checkUnder } from '../io/safe-path.js';

/** The job that last ran the issue, as far as we know it. */
export interface OwnerJob {
  via: 'slurm' | 'ssh';
  jobId: string;
  /** ssh: the configured host it ran on. */
  host: string | null;
  /** slurm: the node SLURM ran it on (sacct NodeList), or why that is not known. */
  node: string | null;
  nodeError?: string;
}

export type Owner = { ok: true; host: string; why: string } | { ok: false; reason: string };

/**
 * Who owns the worktree: the host the run ran on. A SLURM job's node must be a configured
 * host (by name, or by address); a direct-SSH job names its host; a run we did not start
 * (the dogfood loop) is on the loop's host. Nothing else is guessed.
 */
export function worktreeOwner(input: { job: OwnerJob | null; loopHost: string | null; hosts: Readonly<Record<string, { address: string }>> }): Owner {
  const { job, loopHost, hosts } = input;
  if (job?.via === 'ssh') {
    if (job.host && hosts[job.host]) return { ok: true, host: job.host, why: `direct-SSH job ${job.jobId} ran there` };
    return { ok: false, reason: `job ${job.jobId} ran on ${job.host ?? 'an unrecorded host'}, which is not in hosts:` };
  }
  if (job?.via === 'slurm') {
    if (!job.node) return { ok: false, reason: `the node of SLURM job ${job.jobId} is not known (${job.nodeError ?? 'sacct named none'})` };
    const short = job.node.split('.')[0] ?? job.node;
    const byName = hosts[job.node] ? job.node : hosts[short] ? short : undefined;
    const name = byName ?? Object.keys(hosts).find((h) => hosts[h]?.address === job.node || hosts[h]?.address === short);
    if (name) return { ok: true, host: name, why: `SLURM job ${job.jobId} ran on node ${job.node}` };
    return { ok: false, reason: `SLURM job ${job.jobId} ran on node ${job.node}, which is not in hosts: (add a host named ${short})` };
  }
  if (loopHost) {
    if (hosts[loopHost]) return { ok: true, host: loopHost, why: 'no job of ours: the loop host (profile.job_log_command.host)' };
    return { ok: false, reason: `the loop host ${loopHost} is not in hosts:` };
  }
  return { ok: false, reason: 'no job of this issue is known and the profile names no loop host' };
}

/** The node in the job wrapper's first line (`swarm-job: issue ID job N on HOST at …`, slurm/swarm-job.sbatch). */
export function nodeFromJobLog(head: string, jobId: string): string | null {
  for (const line of head.split('\n')) {
    const m = /^swarm-job: issue \S+ job (\S+) on ([A-Za-z0-9][A-Za-z0-9._-]*) at /.exec(line);
    if (m && m[1] === jobId) return m[2] as string;
  }
  return null;
}

/** One remote command's answer (ssh worked; the command's own exit code). */
export interface Answer {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** What the owning host said, step by step; a missing step was not run. */
export interface RemoteWorktreeCheck {
  host: string;
  root: string;
  path: string;
  archiveRoot: string;
  /** ssh itself failed (connect, auth, timeout): what it said. Everything after is unknown. */
  transport?: string;
  /** `stat -c %F -- PATH` (lstat: a symlink is reported, not followed). */
  stat?: Answer;
  /** `realpath -m -- ROOT PATH ARCHIVE_ROOT`. */
  realpaths?: Answer;
  /** `git -C PATH rev-parse --show-toplevel`. */
  toplevel?: Answer;
  /** `git -C PATH status --porcelain --branch`. */
  status?: Answer;
}

export interface WorktreeFacts {
  kind: 'worktree' | 'plain';
  branch: string | null;
  changes: number;
}

export type ArchiveDecision =
  | { action: 'move'; facts: WorktreeFacts; detail: string }
  | { action: 'skip'; detail: string }
  | { action: 'refuse'; detail: string }
  /** Run the next check (the field named) and decide again. */
  | { action: 'ask'; next: 'stat' | 'realpaths' | 'toplevel' | 'status' };

const firstLine = (s: string): string => (s.trim().split('\n').pop() ?? '').slice(0, 300);

/** The decision so far; `ask` until every check needed was answered. */
export function decideArchive(c: RemoteWorktreeCheck): ArchiveDecision {
  const on = `${c.path} on ${c.host}`;
  const refuse = (why: string): ArchiveDecision => ({ action: 'refuse', detail: `refused: ${why}; nothing moved` });
  if (c.transport !== undefined) return refuse(`cannot reach ${c.host} over SSH (${c.transport}): the state of ${c.path} there is unknown`);
  const lex = checkUnder(c.root, c.path);
  if (!lex.ok) return refuse(lex.reason);
  const arch = checkUnder('/', c.archiveRoot);
  if (!arch.ok || checkUnder(lex.root, arch.path).ok || arch.path === lex.root) return refuse(`the archive folder ${c.archiveRoot} must be an absolute path outside ${lex.root}`);
  if (!c.stat) return { action: 'ask', next: 'stat' };
  if (c.stat.exitCode !== 0) {
    if (/No such file or directory/.test(c.stat.stderr)) return { action: 'skip', detail: `nothing to archive: ${on} does not exist` };
    return refuse(`stat ${on} failed (exit ${c.stat.exitCode}: ${firstLine(c.stat.stderr)})`);
  }
  const type = c.stat.stdout.trim();
  if (type === 'symbolic link') return refuse(`${on} is a symlink (not followed, not moved)`);
  if (type === 'fifo') return refuse(`${on} is a FIFO, not a worktree`);
  if (type !== 'directory') return refuse(`${on} is ${/^[a-z -]{1,40}$/.test(type) ? `a ${type}` : 'something stat could not name'}, not a worktree directory`);
  if (!c.realpaths) return { action: 'ask', next: 'realpaths' };
  const real = c.realpaths.stdout.split('\n').filter((l) => l !== '');
  if (c.realpaths.exitCode !== 0 || real.length !== 3 || !real.every((l) => l.startsWith('/'))) {
    return refuse(`realpath on ${c.host} gave no usable answer (exit ${c.realpaths.exitCode}: ${firstLine(c.realpaths.stderr || c.realpaths.stdout)})`);
  }
  const [realRoot, realPath, realArch] = real as [string, string, string];
  // The worktree (or a folder above it) is a symlink: it would move, or git would act, somewhere else.
  if (realPath !== `${realRoot}/${lex.path.slice(lex.root.length + 1)}`) return refuse(`${on} resolves through a symlink to ${realPath}, not under ${realRoot}`);
  if (checkUnder(realRoot, realArch).ok || realArch === realRoot) return refuse(`the archive folder ${c.archiveRoot} resolves to ${realArch}, inside the worktrees root ${realRoot}`);
  if (!c.toplevel) return { action: 'ask', next: 'toplevel' };
  if (c.toplevel.exitCode !== 0) {
    if (c.toplevel.exitCode === 128 && /not a git repository/i.test(c.toplevel.stderr))
      return { action: 'move', facts: { kind: 'plain', branch: null, changes: 0 }, detail: `${on}: a directory, not a git worktree` };
    return refuse(`git on ${c.host} could not say whether ${c.path} is a worktree (exit ${c.toplevel.exitCode}: ${firstLine(c.toplevel.stderr)})`);
  }
  const top = c.toplevel.stdout.trim();
  if (top !== realPath) return { action: 'move', facts: { kind: 'plain', branch: null, changes: 0 }, detail: `${on}: a directory inside the repository ${top}, not a worktree of its own` };
  if (!c.status) return { action: 'ask', next: 'status' };
  if (c.status.exitCode !== 0) return refuse(`git status in ${on} failed (exit ${c.status.exitCode}: ${firstLine(c.status.stderr)})`);
  const facts = parseStatus(c.status.stdout);
  if (!facts) return refuse(`git status in ${on} printed something unexpected`);
  const dirty = facts.changes > 0 ? `${facts.changes} uncommitted change${facts.changes === 1 ? '' : 's'} kept` : 'clean';
  return { action: 'move', facts, detail: `${on}: a git worktree on ${facts.branch ?? '(detached)'}, ${dirty}` };
}

/** `git status --porcelain --branch`: `## branch...upstream` then one line per change. */
export function parseStatus(out: string): WorktreeFacts | null {
  const lines = out.split('\n').filter((l) => l !== '');
  const head = lines[0];
  if (head === undefined || !head.startsWith('## ')) return null;
  const b = head.slice(3).split('...')[0]!.trim();
  const branch = b === 'HEAD (no branch)' || b === '' ? null : b.replace(/^No commits yet on /, '');
  const rest = lines.slice(1);
  if (!rest.every((l) => /^[ MADRCU?!T]{2} /.test(l))) return null;
  return { kind: 'worktree', branch, changes: rest.length };
}

/** The two-line verdict of the move, from `stat -c %F` of the destination and of the source afterwards. */
export function verifyMove(dest: Answer, source: Answer): { ok: boolean; detail: string } {
  const landed = dest.exitCode === 0 && dest.stdout.trim() === 'directory';
  const gone = source.exitCode !== 0 && /No such file or directory/.test(source.stderr);
  if (landed && gone) return { ok: true, detail: 'moved' };
  return { ok: false, detail: `after the move the archive copy is ${landed ? 'there' : 'missing'} and the worktree is ${gone ? 'gone' : 'still there'}` };
}
