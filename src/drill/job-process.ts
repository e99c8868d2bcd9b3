// What a SLURM job's process really received, read from /proc as an operator would: the job's
// processes carry SLURM_JOB_ID in their environment; the worker is the one under the batch shell.
import { readdirSync, readFileSync } from 'node:fs';

export interface JobProcess {
  pid: number;
  ppid: number;
  argv: string[];
  env: Record<string, string>;
}

/** A NUL-separated /proc file as words; null when unreadable (gone, or not ours to read). */
function nulWords(path: string): string[] | null {
  try {
    return readFileSync(path)
      .toString('utf8')
      .split('\0')
      .filter((w) => w !== '');
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: field 4 (ppid) follows its LAST ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Every live process on this machine whose environment says it belongs to SLURM job `jobId`. */
export function jobProcesses(jobId: string): JobProcess[] {
  const mark = `SLURM_JOB_ID=${jobId}`;
  const out: JobProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = nulWords(`/proc/${name}/environ`);
    if (!environ?.includes(mark)) continue;
    const argv = nulWords(`/proc/${name}/cmdline`);
    const ppid = parentOf(Number(name));
    if (!argv || ppid === null) continue;
    const env: Record<string, string> = {};
    for (const kv of environ) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    out.push({ pid: Number(name), ppid, argv, env });
  }
  return out;
}

/**
 * The job's worker for `issue`: the process running `… --issue ISSUE` started by the batch
 * shell (whose own argv carries the same words, as the script's arguments). Null until it runs.
 */
export function jobWorker(jobId: string, issue: string): JobProcess | null {
  const runsIssue = (p: JobProcess) => p.argv.some((w, i) => w === '--issue' && p.argv[i + 1] === issue);
  const procs = jobProcesses(jobId).filter(runsIssue);
  const isShell = (p: JobProcess) => p.argv.some((w) => w.endsWith('/slurm_script'));
  const shells = new Set(procs.filter(isShell).map((p) => p.pid));
  // Not the shell's own forks ($(date) subshells, a child before its exec): they carry the
  // shell's argv and its environment as started, not what the worker got.
  return procs.filter((p) => shells.has(p.ppid) && !isShell(p)).sort((a, b) => a.pid - b.pid)[0] ?? null;
}
