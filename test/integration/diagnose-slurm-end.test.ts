// diagnose reads how SLURM ended a job from slurmstepd's own notice in the job log, on the
// real test cluster (accounting off: sacct has nothing). A job submitted with
// `swarmctl submit` (the real wrapper) writes a swarm-like log; it is killed for real by
// its time limit (scontrol sets 1 minute; the controller kills it within ~30 s after) and
// by scancel. diagnose is run twice: as it is (squeue still remembers the job for
// MinJobAge) and with a job name squeue does not know (the job gone from the queue, so the
// notice alone says how it ended). Negatives: a job that completed, and one whose log
// quotes a notice in a tool's output. Issue 13 point 8: with SLURM unusable (a dead
// controller port), squeue and sacct run side by side within one timeout. Point 5: a
// missing job log is exit 2, not "nothing wrong".
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

const CONF = '/tmp/swarmctl-cluster/slurm/slurm.conf';
const slurm = (cmd: string, ...args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, SLURM_CONF: CONF } });
let env: BatchTestEnv;
let goneCfg: string;
const jobs: string[] = [];
const tag = `${process.pid}`;

// A swarm-like job: ANSI tracing lines, the session start for the issue, then either
// work forever (to be killed), finish, or quote a notice inside a tool's output.
const SCRIPT = `#!/bin/bash
issue=$1; mode=$2
ts() { date -u +%Y-%m-%dT%H:%M:%S.000000Z; }
rec() { printf '\\033[2m%s\\033[0m \\033[32m%5s\\033[0m \\033[2m%s\\033[0m\\033[2m:\\033[0m %s\\n' "$(ts)" "$1" "$2" "$3"; }
# like the orchestrator, take SLURM's USR2 time-limit warning (forwarded by the wrapper) and go on
trap 'rec WARN swarm_agents "USR2: checkpoint written"' USR2
rec INFO swarm_agents "Swarm orchestrator starting fast=http://127.0.0.1:1/v1"
rec INFO swarm_agents "Processing CLI issue id=$issue title=integration mode=None"
rec INFO swarm_agents::driver "Starting iteration (state driver) iteration=1 tier=Worker"
case "$mode" in
  done) rec INFO swarm_agents::driver "Issue resolved (state driver) id=$issue"; exit 0 ;;
  quote)
    rec INFO rig::agent::prompt_request "executed tool run_command with args {\\"cmd\\":\\"tail old.log\\"}. result: exit 0"
    echo "slurmstepd-vm: error: *** JOB 1 ON vm CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***"
    echo "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=1.batch. Some of your processes may have been killed by the cgroup out-of-memory handler."
    rec WARN swarm_agents::driver "Worker saw \\"slurmstepd: error: *** JOB \${SLURM_JOB_ID} ON vm CANCELLED AT 2026-01-01T00:00:00 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***\\" in a file"
    rec INFO swarm_agents::driver "Issue resolved (state driver) id=$issue"; exit 0 ;;
  *) while true; do sleep 5 & wait $!; rec INFO swarm_agents::runtime_adapter "LLM turn started agent=Qwen turn=1"; done ;;
esac
`;

interface Diag {
  status: string;
  exit_code: number;
  not_read: string[];
  diagnoses: Array<{
    kind: string;
    cause: string | null;
    node?: string;
    incident: boolean;
    retryable: boolean;
    summary: string;
    evidence: Array<{ file: string; line?: number; text: string }>;
    details: Record<string, unknown>;
  }>;
}

async function diagnoseJson(config: string, issue: string, job: string): Promise<{ doc: Diag; code: number; stderr: string }> {
  const r = await runBin(['--config', config, '--db', env.db, 'diagnose', issue, '--job', job, '--json']);
  return { doc: JSON.parse(r.stdout) as Diag, code: r.code, stderr: r.stderr };
}

async function submit(issue: string): Promise<string> {
  const r = await runBin(['--config', env.config, '--db', env.db, 'submit', issue, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const id = JSON.parse(r.stdout).outcomes[0].jobId as string;
  jobs.push(id);
  return id;
}

async function until(what: string, pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const logOf = (job: string): string => join(env.logs, `swarm-orch-${job}.log`);
const logText = (job: string): string => (existsSync(logOf(job)) ? readFileSync(logOf(job), 'utf8') : '');
/** The 1-based line of the log holding `re`. */
const lineOf = (job: string, re: RegExp): number =>
  logText(job)
    .split('\n')
    .findIndex((l) => re.test(l)) + 1;

beforeAll(() => {
  requireCluster();
  // accounting is off on the test cluster: sacct has nothing to say
  let sacct = '';
  try {
    slurm('sacct', '-j', '1', '-n', '-X', '-P', '-o', 'State');
  } catch (e) {
    sacct = String((e as { stderr?: string }).stderr ?? '');
  }
  expect(sacct).toMatch(/accounting storage is disabled/i);
  const base = makeBatchConfig({ command: ['bash', '/dev/null'] });
  const script = join(base.dir, 'fake-swarm.sh');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  env = makeBatchConfig({ command: [script, '{issue}', 'work'] });
  // The same share with a job name squeue does not know: the job is gone from the queue.
  goneCfg = join(env.dir, 'gone.yaml');
  writeFileSync(goneCfg, readFileSync(env.config, 'utf8').replace(/job_name_template: .*/, 'job_name_template: "nosuchjob-{issue}"'));
  // per-mode configs (the command's last argument)
  for (const mode of ['done', 'quote']) writeFileSync(join(env.dir, `${mode}.yaml`), readFileSync(env.config, 'utf8').replace(`"{issue}","work"`, `"{issue}","${mode}"`));
});

afterAll(() => {
  for (const j of jobs) {
    try {
      slurm('scancel', j);
    } catch {
      /* already gone */
    }
  }
});

describe('diagnose reads slurmstepd notices from the real job log (accounting off)', () => {
  it('a job killed by its time limit: job_died, cause TIMEOUT, evidence file:line of the notice', async () => {
    const issue = `tl${tag}`;
    const job = await submit(issue);
    await until('the job to run and log', () => /Processing CLI issue/.test(logText(job)), 60_000);
    slurm('scontrol', 'update', `JobId=${job}`, 'TimeLimit=1');
    await until('the time-limit notice', () => /DUE TO TIME LIMIT/.test(logText(job)), 150_000);
    await until('the job to leave RUNNING', () => !/RUNNING|COMPLETING/.test(slurm('squeue', '-h', '-j', job, '-o', '%T')), 30_000);
    const line = lineOf(job, /DUE TO TIME LIMIT/);
    const notice = logText(job).split('\n')[line - 1] as string;
    expect(notice).toMatch(new RegExp(`^slurmstepd(-\\S+)?: error: \\*\\*\\* JOB ${job} ON \\S+ CANCELLED AT \\S+ DUE TO TIME LIMIT \\*\\*\\*$`));

    // as it is: squeue still remembers the job (TIMEOUT); the notice corroborates
    const seen = await diagnoseJson(env.config, issue, job);
    expect(seen.code, seen.stderr).toBe(1);
    expect(seen.doc.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT', retryable: true, incident: true });
    expect(seen.doc.diagnoses[0]?.evidence).toContainEqual({ file: logOf(job), line, text: notice });

    // gone from the queue, no accounting: the notice alone gives the end
    const gone = await diagnoseJson(goneCfg, issue, job);
    expect(gone.code, gone.stderr).toBe(1);
    expect(gone.doc.diagnoses).toHaveLength(1);
    expect(gone.doc.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT', node: requireCluster().node, details: { end_state_from: 'slurmstepd notice' } });
    expect(gone.doc.diagnoses[0]?.evidence).toContainEqual({ file: logOf(job), line, text: notice });
    // the wrapper logged SLURM's USR2 time-limit warning: evidence too
    const usr2 = lineOf(job, /^swarm-job: got SIGUSR2/);
    expect(usr2).toBeGreaterThan(0);
    expect(gone.doc.diagnoses[0]?.evidence.map((e) => e.line)).toContain(usr2);
    const text = await runBin(['--config', goneCfg, '--db', env.db, 'diagnose', issue, '--job', job]);
    expect(text.stdout).toContain(`job_died [TIMEOUT ${requireCluster().node}]`);
    expect(text.stdout).toContain(`${logOf(job)}:${line}  ${notice}`);
  }, 240_000);

  it('a job cancelled with scancel: job_died, cause CANCELLED, not an incident (exit 0), with the notice line', async () => {
    const issue = `cx${tag}`;
    const job = await submit(issue);
    await until('the job to run and log', () => /Processing CLI issue/.test(logText(job)), 60_000);
    slurm('scancel', job);
    await until('the cancel notice', () => /\*\*\* JOB \d+ ON \S+ CANCELLED AT \S+ \*\*\*/.test(logText(job)), 60_000);
    const line = lineOf(job, /CANCELLED AT/);
    const notice = logText(job).split('\n')[line - 1] as string;
    const gone = await diagnoseJson(goneCfg, issue, job);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.doc.status).toBe('ok');
    expect(gone.doc.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'CANCELLED', incident: false });
    expect(gone.doc.diagnoses[0]?.evidence).toContainEqual({ file: logOf(job), line, text: notice });
  }, 120_000);

  it('negatives: a job that completed; a job whose log quotes notices inside a tool’s output', async () => {
    for (const mode of ['done', 'quote']) {
      const issue = `${mode}${tag}`;
      const r = await runBin(['--config', join(env.dir, `${mode}.yaml`), '--db', env.db, 'submit', issue, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const job = JSON.parse(r.stdout).outcomes[0].jobId as string;
      jobs.push(job);
      await until(`${mode} job to end`, () => /swarm-job: command exited with 0/.test(logText(job)), 60_000);
      if (mode === 'quote') expect(logText(job)).toMatch(/^slurmstepd-vm: error: \*\*\* JOB 1 ON vm/m);
      const gone = await diagnoseJson(goneCfg, issue, job);
      expect(gone.doc.diagnoses, JSON.stringify(gone.doc)).toEqual([]);
      expect(gone.code).toBe(0);
    }
  }, 150_000);
});

describe('diagnose when it cannot tell (issue 13 points 5, 8)', () => {
  it('5: a missing job log is exit 2 "cannot tell", naming what was not read', async () => {
    const r = await diagnoseJson(env.config, `nolog${tag}`, '4242');
    expect(r.code).toBe(2);
    expect(r.doc.status).toBe('unknown');
    expect(r.doc.not_read.join('\n')).toMatch(/swarm-orch-4242\.log does not exist/);
    const text = await runBin(['--config', env.config, '--db', env.db, 'diagnose', `nolog${tag}`, '--job', '4242']);
    expect(text.stdout).toMatch(/cannot tell/);
    expect(text.stdout).not.toMatch(/nothing wrong/);
  });

  it('8: with SLURM unusable, squeue and sacct run side by side: one timeout, not two', async () => {
    // A dead controller port for squeue, and a slurmdbd that accepts and never answers for
    // sacct (the real tools, failing for real; on loopback).
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const dead = join(env.dir, 'dead-slurm.conf');
      writeFileSync(
        dead,
        readFileSync(CONF, 'utf8')
          .replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=16999')
          .replace(/^AccountingStorageType=.*$/m, `AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=127.0.0.1\nAccountingStoragePort=${port}`),
      );
      const cfg = makeBatchConfig({ slurmConf: dead, timeoutS: 6 });
      const t0 = Date.now();
      const r = await runBin(['--config', cfg.config, '--db', cfg.db, 'diagnose', `dead${tag}`, '--job', '4243', '--json']);
      const wall = (Date.now() - t0) / 1000;
      expect(r.code, r.stderr).toBe(2);
      const doc = JSON.parse(r.stdout) as Diag & { notes: string[] };
      expect(doc.notes.join('\n')).toMatch(/queue not read: squeue timed out after 6(\.\d)? s/);
      // each command alone takes the whole 6 s; one after the other took >= 12 s
      expect(wall).toBeGreaterThanOrEqual(5.5);
      expect(wall).toBeLessThan(10);
    } finally {
      silent.close();
    }
  }, 60_000);
});
