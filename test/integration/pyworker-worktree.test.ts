// Run-host worktrees (issue 17): the python worker keeps an issue's worktree on the host that ran
// it (/tmp/beefcake-wt) and deletes it on its next run. `recover` checks it and moves it into the
// archive folder ON that host over the real test sshd before resubmitting; an SSH failure is a
// refusal, audited, with nothing moved and no resubmit. The simulated worker
// (fixtures/sim/python-worker-sim.sh with SIM_REPO) makes a real git worktree as run.py does.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

const SIM = join(REPO_ROOT, 'fixtures/sim/python-worker-sim.sh');
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-pywt-'));
const logs = join(dir, 'logs');
const repo = join(dir, 'code/repo');
const wtRoot = join(dir, 'beefcake-wt');
const archive = `${wtRoot}-archive`;
const summary = join(repo, 'logs/mini-swarm/summary.jsonl');
const db = join(dir, 'state.db');
const tag = `pw${process.pid}`;

function writeConfig(path: string, sshPort: number): void {
  writeFileSync(
    path,
    `version: 1
hosts:
  local:
    address: 127.0.0.1
    user: root
    port: ${sshPort}
    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519
    ssh_options: [UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts, StrictHostKeyChecking=yes]
paths:
  shared_root: ${dir}
  logs_dir: ${logs}
  repo: ${repo}
  worktrees_dir: ${wtRoot}
slurm:
  conf: /tmp/swarmctl-cluster/slurm/slurm.conf
  command_timeout_s: 15
swarm:
  profile: python-worker
  direct_host: local
  job_name_template: "${tag}-{issue}"
  command: ["${SIM}", "--issue", "{issue}", "--summary-path", "${summary}"]
  env: { SIM_SECONDS: "0", SIM_OUTCOME: no_change, SIM_REPO: "${repo}", SWARM_WT_ROOT: "${wtRoot}" }
thresholds:
  probe_timeout_s: 3
`,
  );
}
const good = join(dir, 'swarmctl.yaml');
// The same site with the host's SSH port dead: every SSH command to it fails to connect.
const broken = join(dir, 'swarmctl-ssh-down.yaml');
const sw = (config: string, args: string[]) => runBin(['--config', config, '--db', db, ...args], { timeoutMs: 120_000 });

async function waitFor<T>(what: string, f: () => Promise<T | null> | T | null, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Submit over direct SSH and wait until the simulated run wrote its row and its job is gone. */
async function runOnce(issue: string): Promise<void> {
  const sub = await sw(good, ['submit', issue, '--via', 'ssh', '--json']);
  expect(sub.code, sub.stderr).toBe(0);
  await waitFor('the summary row', () => (existsSync(summary) && readFileSync(summary, 'utf8').includes(`"issue_id": "${issue}"`) ? true : null));
  await waitFor('the ssh job to end', async () => {
    const q = JSON.parse((await sw(good, ['queue', '--json'])).stdout);
    return q.jobs.some((j: { issueId?: string; active: boolean }) => j.issueId === issue && j.active) ? null : true;
  });
}

interface AuditRow {
  action: string;
  outcome: string;
  detail: string;
  argv: string[][] | null;
  archived: Array<{ from: string; to: string }> | null;
}
const auditOf = async (issue: string): Promise<AuditRow[]> => (JSON.parse((await sw(good, ['audit', '--issue', issue, '--json'])).stdout) as { rows: AuditRow[] }).rows;

beforeAll(() => {
  const cluster = requireCluster();
  for (const d of [logs, repo, join(repo, 'logs/mini-swarm')]) mkdirSync(d, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'README'), 'x\n');
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', 'README']);
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init']);
  writeConfig(good, cluster.sshPort);
  writeConfig(broken, 1);
  chmodSync(SIM, 0o755);
});

describe('recover archives the worktree on the host that ran the issue', () => {
  const issue = `bc-h${process.pid}`;
  it('happy path: checked and moved on the host over SSH (dirty change kept), audited, then resubmitted', async () => {
    await runOnce(issue);
    const wt = join(wtRoot, issue);
    expect(readFileSync(join(wt, 'WORK-IN-PROGRESS.txt'), 'utf8')).toContain(issue);
    const dry = JSON.parse((await sw(good, ['recover', issue, '--dry-run', '--json'])).stdout);
    expect(dry.plan.actions.map((a: { type: string }) => a.type)).toEqual(['archive_worktree', 'resubmit_with_env']);
    expect(dry.plan.actions[0]).toMatchObject({ host: 'local', archiveRoot: archive });
    const r = await sw(good, ['recover', issue, '--yes', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const step = JSON.parse(r.stdout).result.actions.find((a: { type: string }) => a.type === 'archive_worktree');
    expect(step.outcome).toBe('ok');
    expect(step.detail).toMatch(/a git worktree on swarm\/bc-h\d+, 1 uncommitted change kept; moved to /);
    // On the archive side: one timestamped copy with the worker's uncommitted file.
    const kept = readdirSync(join(archive, issue));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^\d{8}T\d{6}\.\d{3}Z\.worktree$/);
    expect(readFileSync(join(archive, issue, kept[0]!, 'WORK-IN-PROGRESS.txt'), 'utf8')).toContain(issue);
    const a = (await auditOf(issue)).find((x) => x.action === 'recover.archive_worktree');
    expect(a).toMatchObject({ outcome: 'ok', archived: [{ from: `local:${wt}`, to: `local:${join(archive, issue, kept[0]!)}` }] });
    expect(a?.detail).toMatch(/^on local: /);
    expect(a?.argv?.map((w) => w[0])).toEqual(['stat', 'realpath', 'git', 'git', 'mkdir', 'mv', 'stat', 'stat']);
    // The resubmit went ahead after the archive.
    expect((await auditOf(issue)).some((x) => x.action === 'recover.resubmit_with_env' && x.outcome === 'ok')).toBe(true);
  }, 240_000);
});

describe('half-broken: SSH to the host fails', () => {
  const issue = `bc-d${process.pid}`;
  it('refuses (unknown state), audits the refusal, moves nothing and does not resubmit', async () => {
    await runOnce(issue);
    const wt = join(wtRoot, issue);
    expect(existsSync(wt)).toBe(true);
    const r = await sw(broken, ['recover', issue, '--yes', '--json']);
    const doc = JSON.parse(r.stdout);
    expect(r.code).not.toBe(0);
    const step = doc.result.actions.find((x: { type: string }) => x.type === 'archive_worktree');
    expect(step).toMatchObject({ outcome: 'failed' });
    expect(step.detail).toMatch(/refused: cannot reach local over SSH \(.*\): the state of .* is unknown; nothing moved/);
    expect(doc.result.actions.find((x: { type: string }) => x.type.startsWith('resubmit')).outcome).toBe('skipped');
    // Still where the worker left it, with its change; nothing in the archive.
    expect(existsSync(join(wt, 'WORK-IN-PROGRESS.txt'))).toBe(true);
    expect(existsSync(join(archive, issue))).toBe(false);
    const audit = await auditOf(issue);
    expect(audit.find((x) => x.action === 'recover.archive_worktree')).toMatchObject({ outcome: 'failed', archived: null });
    expect(audit.some((x) => x.action.startsWith('recover.resubmit'))).toBe(false);
  }, 240_000);

  it('a worktree that is a symlink on the host is refused, not followed', async () => {
    const issue2 = `bc-s${process.pid}`;
    await runOnce(issue2);
    const wt = join(wtRoot, issue2);
    const real = join(dir, 'elsewhere');
    execFileSync('mv', ['-T', wt, real]);
    symlinkSync(real, wt);
    const r = await sw(good, ['recover', issue2, '--yes', '--json']);
    const step = JSON.parse(r.stdout).result.actions.find((x: { type: string }) => x.type === 'archive_worktree');
    expect(step).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('is a symlink (not followed, not moved)') });
    expect(lstatSync(wt).isSymbolicLink()).toBe(true);
    expect(existsSync(join(real, 'WORK-IN-PROGRESS.txt'))).toBe(true);
  }, 240_000);
});
