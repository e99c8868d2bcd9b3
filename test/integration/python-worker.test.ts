// The python-worker profile end to end (issue 17) on the real test cluster: a SIMULATED python
// worker (fixtures/sim/python-worker-sim.sh: run.py's lines and a summary row per run) started
// through `swarmctl submit` under SLURM and under direct SSH, and as a long-running loop whose
// output is read through a command; diagnose and recover each, then check what the resubmitted
// worker really received (its own argv/env echo) and the tracker commands (a stand-in `bd` on
// the config's tracker path that logs its argv).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

const SIM = join(REPO_ROOT, 'fixtures/sim/python-worker-sim.sh');
const MODEL = 'tensorzero::function_name::worker_code_edit::variant_name::qwen36_a3b';
const dir = mkdtempSync(join(tmpdir(), 'swarmctl-pyworker-'));
const logs = join(dir, 'logs');
const repo = join(dir, 'code/repo');
const summary = join(repo, 'logs/mini-swarm/summary.jsonl');
const bdLog = join(dir, 'bd.argv');
const bdState = join(dir, 'bd.state');
const loopOut = join(dir, 'dogfood-loop.journal');
const config = join(dir, 'swarmctl.yaml');
const db = join(dir, 'state.db');
const tag = `py${process.pid}`;
let loop: ChildProcess | undefined;

function writeConfig(): void {
  const fakeBd = join(dir, 'bd');
  // A tracker stand-in: logs its argv (one JSON array a line); `show` answers from bd.state.
  writeFileSync(
    fakeBd,
    `#!/bin/sh\nprintf '%s\\n' "$(node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@")" >> ${bdLog}\n` +
      `if [ "$1" = show ]; then printf '[{"id":"%s","title":"simulated %s","status":"%s","assignee":"swarm-ai-proxy"}]\\n' "$2" "$2" "$(cat ${bdState} 2>/dev/null || echo open)"; fi\nexit 0\n`,
  );
  chmodSync(fakeBd, 0o755);
  writeFileSync(
    config,
    `version: 1
cluster_name: pyworker-test
hosts:
  local:
    address: 127.0.0.1
    user: root
    port: 12222
    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519
    ssh_options: [UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts, StrictHostKeyChecking=yes]
  # The SLURM node by its name: a SLURM run's worktree is checked and archived there (run-host worktrees).
  ${requireCluster().node}:
    address: 127.0.0.1
    user: root
    port: 12222
    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519
    ssh_options: [UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts, StrictHostKeyChecking=yes]
paths:
  shared_root: ${dir}
  logs_dir: ${logs}
  repo: ${repo}
slurm:
  conf: /tmp/swarmctl-cluster/slurm/slurm.conf
  command_timeout_s: 15
swarm:
  profile: python-worker
  direct_host: local
  job_name_template: "${tag}-{issue}"
  command: ["${SIM}", "--issue", "{issue}", "--summary-path", "${summary}"]
  env: { SIM_SECONDS: "0", SIM_OUTCOME: no_change }
  tracker: { command: ${fakeBd} }
recovery:
  worker_model: "${MODEL}"
profile:
  silent_worker_s: 2
  job_log_command: { argv: [tail, -n, "+1", "${loopOut}"], host: local }
`,
  );
}

const sw = (args: string[], env: NodeJS.ProcessEnv = {}) => runBin(['--config', config, '--db', db, ...args], { env, timeoutMs: 120_000 });

async function waitFor<T>(what: string, f: () => Promise<T | null> | T | null, ms = 150_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The job's log, once the simulated run printed its DONE line and the wrapper its exit. */
const finishedLog = (path: string) => waitFor(`${path} to finish`, () => (existsSync(path) && /command exited with/.test(readFileSync(path, 'utf8')) ? readFileSync(path, 'utf8') : null));

beforeAll(() => {
  requireCluster();
  for (const d of [logs, join(repo, 'logs/mini-swarm')]) mkdirSync(d, { recursive: true });
  writeConfig();
});
afterAll(() => {
  loop?.kill('SIGKILL');
});

describe('python worker under SLURM: stuck → recover with the architect flag', () => {
  const issue = `beefcake-s${process.pid}`;
  it('a no-change run is stuck_loop from the job log and the summary row, with file:line evidence', async () => {
    const sub = await sw(['submit', issue, '--json']);
    expect(sub.code).toBe(0);
    const job = JSON.parse(sub.stdout).outcomes[0].jobId as string;
    const text = await finishedLog(join(logs, `swarm-orch-${job}.log`));
    expect(text).toContain('DONE status=no_change');
    // Out of the queue: the job is over.
    await waitFor('the job to leave the active queue', async () => {
      const q = JSON.parse((await sw(['queue', '--json'])).stdout);
      return q.jobs.some((j: { jobId: string; active: boolean }) => j.jobId === job && j.active) ? null : true;
    });
    const r = await sw(['diagnose', issue, '--job', job, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    const stuck = doc.diagnoses.find((d: { kind: string }) => d.kind === 'stuck_loop');
    expect(stuck).toBeDefined();
    const files = stuck.evidence.map((e: { file: string; line?: number }) => `${e.file}:${e.line}`);
    const logLines = text.split('\n');
    const logEv = stuck.evidence.find((e: { file: string }) => e.file.endsWith(`swarm-orch-${job}.log`));
    expect(logLines[logEv.line - 1]).toMatch(/DONE status=no_change/);
    expect(files).toContain(`${summary}:1`);
    // No diagnosis the python worker cannot have (no text-mode split, no resume file).
    expect(doc.diagnoses.map((d: { kind: string }) => d.kind)).not.toContain('stuck_text_mode');
  }, 240_000);

  it('recover --yes resubmits with SWARM_WORKER_MODEL from recovery.worker_model, never a temperature variable; the new worker gets it', async () => {
    const plan = JSON.parse((await sw(['recover', issue, '--dry-run', '--json'])).stdout);
    const envs = plan.plan.actions.flatMap((a: { env?: Record<string, string> }) => Object.keys(a.env ?? {}));
    expect(envs).toEqual(['SWARM_WORKER_MODEL']);
    const r = await sw(['recover', issue, '--yes', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const sub = doc.result.actions.find((a: { type: string }) => a.type === 'resubmit_with_env');
    const job = sub.jobId as string;
    const text = await finishedLog(join(logs, `swarm-orch-${job}.log`));
    expect(text).toContain(`SWARM_WORKER_MODEL=${MODEL}`);
    expect(text).not.toMatch(/SWARM_WORKER_TEMPERATURE|SWARM_WORKER_MAX_TURNS/);
  }, 240_000);
});

describe('python worker over direct SSH: parse failure from the summary alone', () => {
  const issue = `beefcake-p${process.pid}`;
  it('the summary row diagnoses output_parse_failure; recover resubmits with the model remedy, which the new worker receives', async () => {
    const sub = await sw(['submit', issue, '--via', 'ssh', '--env', 'SIM_OUTCOME=parse_failure', '--json']);
    expect(sub.code).toBe(0);
    await waitFor('the summary row', () => (existsSync(summary) && readFileSync(summary, 'utf8').includes(`"issue_id": "${issue}"`) ? true : null));
    await waitFor('the ssh job to end', async () => {
      const q = JSON.parse((await sw(['queue', '--json'])).stdout);
      return q.jobs.some((j: { issueId?: string; active: boolean }) => j.issueId === issue && j.active) ? null : true;
    });
    const doc = JSON.parse((await sw(['diagnose', issue, '--json'])).stdout);
    const parse = doc.diagnoses.find((d: { kind: string }) => d.kind === 'output_parse_failure');
    expect(parse.evidence[0].file).toBe(summary);
    const row = readFileSync(summary, 'utf8').split('\n')[parse.evidence[0].line - 1] as string;
    expect(JSON.parse(row).issue_id).toBe(issue);
    expect(doc.status).toBe('diagnosed');
    // The remedy: another model (the worker has no max-turns variable); the new run receives it.
    const r = await sw(['recover', issue, '--yes', '--json']);
    expect(r.code).toBe(0);
    const resub = JSON.parse(r.stdout).result.actions.find((a: { type: string }) => a.type === 'resubmit_with_env');
    const text = await finishedLog(join(logs, `swarm-orch-${resub.jobId as string}.log`));
    expect(text).toContain(`SWARM_WORKER_MODEL=${MODEL}`);
    expect(text).not.toMatch(/SWARM_WORKER_MAX_TURNS/);
  }, 240_000);
});

describe('python worker as a long-running loop read through a command; stale claims', () => {
  const issue = `beefcake-l${process.pid}`;
  it('the loop output read over ssh shows the no-change run; the tracker commands are the profile’s', async () => {
    // The dogfood loop stand-in: the simulator's runs appended to one output, as journald would hold them.
    // dogfood.py prints its own per-issue result line after each run (dogfood.py:118).
    const script = `while :; do SIM_SECONDS=0 SIM_OUTCOME=no_change "${SIM}" --issue "${issue}" --summary-path "${summary}" >> "${loopOut}" 2>&1; printf '[%s]   → %s: no_change wall=1.0s\\n' "$(date -u +%H:%M:%SZ)" "${issue}" >> "${loopOut}"; sleep 600; done`;
    loop = spawn('bash', ['-c', script], { stdio: 'ignore' });
    await waitFor('the loop run', () => (existsSync(loopOut) && readFileSync(loopOut, 'utf8').includes(': no_change wall=') ? true : null));
    writeFileSync(bdState, 'in_progress');
    // Past the profile's silence threshold (2 s here): the claim is stale.
    await new Promise((r) => setTimeout(r, 3000));
    const doc = JSON.parse((await sw(['diagnose', issue, '--json'])).stdout);
    const kinds = doc.diagnoses.map((d: { kind: string }) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(['stuck_loop', 'stale_claim']));
    const stuck = doc.diagnoses.find((d: { kind: string }) => d.kind === 'stuck_loop');
    const j = stuck.evidence.find((e: { file: string }) => e.file === 'journal:local');
    expect(readFileSync(loopOut, 'utf8').split('\n')[j.line - 1]).toContain(`→ ${issue}: no_change wall=`);
  }, 120_000);

  it('a resolved run with the issue still in_progress: stale_claim, and recover reopens it with the profile’s argv', async () => {
    const other = `beefcake-r${process.pid}`;
    writeFileSync(summary, `${JSON.stringify({ issue_id: other, status: 'resolved', started_at: new Date(Date.now() - 3600_000).toISOString(), wall_s: 10 })}\n`, { flag: 'a' });
    writeFileSync(bdState, 'in_progress');
    const doc = JSON.parse((await sw(['diagnose', other, '--json'])).stdout);
    expect(doc.diagnoses.map((d: { kind: string }) => d.kind)).toEqual(['stale_claim']);
    const r = await sw(['recover', other, '--yes', '--json']);
    expect(r.code).toBe(0);
    const calls = readFileSync(bdLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string[])
      .filter((a) => a[1] === other && a[0] !== 'show');
    expect(calls[0]).toEqual(['update', other, '--status', 'open', '--assignee', '']);
    expect(calls[1]?.[0]).toBe('note');
  }, 120_000);
});

// The logs dir holds only swarmctl's files: a sanity check that nothing escaped the temp dir.
it('wrote nothing outside its temp dir', () => {
  expect(readdirSync(logs).every((f) => f.startsWith('swarm-orch-') || f.startsWith('.') || f.endsWith('.log'))).toBe(true);
});
