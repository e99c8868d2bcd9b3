// The in-job failure hook of slurm/swarm-job.sbatch on the real local SLURM: a job
// whose command exits non-zero runs `swarmctl diagnose` while it is still RUNNING.
// The hook names this job and says it is ending, so the job log holds a diagnosis
// of the real failure: the stuck loop of the beefcake log, and a job that died with
// its session unfinished (read as "being worked on" while the job was RUNNING).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

interface HookDoc {
  status: string;
  jobId: string;
  activeJob: unknown;
  notes: string[];
  diagnoses: Array<{ kind: string; summary: string; cause: string | null }>;
  matches: Array<{ kind: string; fired: boolean }>;
}

/** Submits ISSUE with a command that prints `log` and exits `rc`; returns the job log once the hook has run. */
async function runFailingJob(root: string, issue: string, log: string, rc: number): Promise<{ jobId: string; text: string }> {
  const cluster = requireCluster();
  writeFileSync(join(root, `${issue}.log`), log);
  const payload = join(root, `${issue}.sh`);
  writeFileSync(payload, `#!/bin/sh\ncat '${join(root, `${issue}.log`)}'\nexit ${rc}\n`);
  chmodSync(payload, 0o755);
  const cfgPath = join(root, `${issue}.yaml`);
  writeFileSync(
    cfgPath,
    [
      'version: 1',
      `paths: { shared_root: ${root} }`,
      `slurm: { conf: ${cluster.slurmConf}, command_timeout_s: 10 }`,
      `swarm: { profile: beefcake, sbatch_script: ${join(REPO_ROOT, 'slurm/swarm-job.sbatch')}, command: ["${payload}", "{issue}"] }`,
    ].join('\n') + '\n',
  );
  const sub = await runBin(['--config', cfgPath, '--db', join(root, 'db.sqlite'), 'submit', issue, '--title', 'hook test', '--json']);
  expect(sub.code, sub.stderr).toBe(0);
  const jobId = (JSON.parse(sub.stdout) as { outcomes: Array<{ jobId: string }> }).outcomes[0]!.jobId;
  const path = join(root, `ai/logs/swarm-orch-${jobId}.log`);
  // Done when the hook's JSON document is followed by the script's own closing line.
  const done = () => existsSync(path) && /^swarm-job: command exited with \d+[^]*^swarm-job: diagnose: \}\nswarm-job: /m.test(readFileSync(path, 'utf8'));
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 200));
  return { jobId, text: readFileSync(path, 'utf8') };
}

/** The hook's JSON document: its `swarm-job: diagnose: ` lines after the command ended, prefix removed. */
function hookDoc(text: string): HookDoc {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('swarm-job: command exited with '));
  expect(at, text).toBeGreaterThan(0);
  const doc = lines
    .slice(at)
    .filter((l) => l.startsWith('swarm-job: diagnose: '))
    .map((l) => l.slice('swarm-job: diagnose: '.length));
  return JSON.parse(doc.join('\n')) as HookDoc;
}

describe('swarm-job.sbatch failure hook (real SLURM)', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-hook-'));
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(root, 0o755);
  const stuck = readFileSync(join(REPO_ROOT, 'fixtures/beefcake/swarm-orch-2317.stuck-loop.log'), 'utf8');

  it('a stuck loop that exits non-zero: the job log names it, for this job, not as "being worked on"', async () => {
    const issue = `beefcake-hs${process.pid}`;
    const { jobId, text } = await runFailingJob(root, issue, stuck.replaceAll('beefcake-7xjmj', issue), 3);
    expect(text).toContain(`swarm-job: command exited with 3`);
    const doc = hookDoc(text);
    expect(doc.jobId).toBe(jobId);
    expect(doc.status).toBe('diagnosed');
    expect(doc.matches.find((m) => m.kind === 'stuck_loop')?.fired).toBe(true);
    // The stuck loop with no successful write: the text-mode variant the recovery acts on.
    expect(doc.diagnoses.map((d) => d.kind)).toEqual(['stuck_text_mode']);
    expect(doc.activeJob).toBeNull();
    expect(doc.notes.join('\n')).not.toMatch(/being worked on/);
    expect(text).toContain(`swarm-job: failure hook: ${REPO_ROOT}/bin/swarmctl diagnose ${issue} --job ${jobId} --json (job ending)`);
    expect(text).toContain(`swarm-job: failure hook: diagnosed (above); next: swarmctl recover ${issue} --dry-run`);
  }, 90_000);

  it('a job that dies mid-session (no signature in the log): the hook reports job_died, not "nothing wrong"', async () => {
    const issue = `beefcake-hd${process.pid}`;
    // The session log says the session started and never completed.
    const session = readFileSync(join(REPO_ROOT, 'fixtures/beefcake/worktree.swarm.session.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes('"session_completed"'))
      .slice(0, 8)
      .map((l) => l.replaceAll('beefcake-7xjmj', issue));
    mkdirSync(join(root, 'wt', issue, '.swarm'), { recursive: true });
    writeFileSync(join(root, 'wt', issue, '.swarm', 'session.jsonl'), session.join('\n') + '\n');
    // The orchestrator's start-up lines only, then a crash: nothing the catalogue matches.
    const head = stuck.split('\n').slice(0, 28).join('\n').replaceAll('beefcake-7xjmj', issue);
    const { jobId, text } = await runFailingJob(root, issue, `${head}\nthread 'main' panicked at src/driver.rs:1:1\n`, 101);
    const doc = hookDoc(text);
    expect(doc.jobId).toBe(jobId);
    expect(doc.status).toBe('diagnosed');
    expect(doc.diagnoses.map((d) => `${d.kind}:${d.cause}`)).toEqual(['job_died:unknown']);
    expect(doc.notes.join('\n')).toContain(`job ${jobId} is ending`);
  }, 90_000);

  it('--ending without --job is a usage error (64); the variable alone changes nothing', async () => {
    const cfgPath = join(root, 'plain.yaml');
    writeFileSync(cfgPath, `version: 1\npaths: { shared_root: ${root} }\nslurm: { conf: ${requireCluster().slurmConf}, command_timeout_s: 10 }\nswarm: { profile: beefcake }\n`);
    const bad = await runBin(['--config', cfgPath, '--db', join(root, 'db.sqlite'), 'diagnose', 'beefcake-x1', '--ending']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--ending needs --job JOBID/);
    const env = await runBin(['--config', cfgPath, '--db', join(root, 'db.sqlite'), 'diagnose', 'beefcake-x1', '--json'], { env: { SWARMCTL_JOB_ENDING: '1' } });
    expect((JSON.parse(env.stdout) as HookDoc).notes.join('\n')).not.toMatch(/is ending/);
  });
});
