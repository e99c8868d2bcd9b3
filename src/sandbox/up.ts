// `sandbox up`: the folder, the config, the endpoints, the tracker stand-in and the simulated
// workers; each process recorded in sandbox.json the moment it starts. Reuses a running sandbox.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../io/atomic-write.js';
import { jobNameTemplate, layoutOf, sandboxConfigYaml, type SandboxLayout } from './config-yaml.js';
import { chooseJobsMode, submitThroughSwarmctl, type JobsChoice } from './jobs.js';
import { repoRoot, simDir, testServerMain } from './paths.js';
import { stillSame } from '../io/proc.js';
import { readState, writeState, type SandboxState } from './records.js';
import { withDirLock } from './dir-lock.js';
import { resetLocked } from './reset.js';
import { startRecorded, waitForPort } from './start.js';
import { startSandboxSshd, type SandboxSshd } from './sshd.js';
import { sshWorkerRecord } from './ssh-worker.js';
import { storyFor } from './story.js';

export type Profile = SandboxState['profile'];

export class SandboxError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface UpResult {
  state: SandboxState;
  reused: boolean;
  config: string;
}

export const configPath = (dir: string) => join(dir, 'swarmctl.yaml');

/** Live records of a state (pid + start time still match). */
export function liveProcesses(s: SandboxState) {
  return s.processes.filter((p) => stillSame(p.pid, p.startTime));
}

/** profile undefined: the one the folder last ran (a reset keeps its story's profile), else beefcake. */
type UpOpts = { dir: string; profile: Profile | undefined; jobs: JobsChoice; env: NodeJS.ProcessEnv; progress: (line: string) => void; reset?: boolean };

export async function sandboxUp(opts: UpOpts): Promise<UpResult> {
  const fresh = !existsSync(opts.dir) || readdirSync(opts.dir).length === 0;
  mkdirSync(opts.dir, { recursive: true });
  return withDirLock(opts.dir, async () => {
    if (opts.reset) {
      const to = await resetLocked(opts.dir, opts.env);
      if (to) opts.progress(`previous story moved to ${to}`);
    }
    return upLocked(opts, fresh);
  });
}

async function upLocked(opts: UpOpts, fresh: boolean): Promise<UpResult> {
  const { dir } = opts;
  const prev = readState(dir);
  const profile: Profile = opts.profile ?? prev?.profile ?? 'beefcake';
  if (prev && !prev.downAt && liveProcesses(prev).length > 0) {
    if (prev.profile !== profile) throw new SandboxError(`a ${prev.profile} sandbox is up in ${dir}: run \`swarmctl sandbox reset --profile ${profile}\` to switch`, true);
    return { state: prev, reused: true, config: configPath(dir) };
  }
  if (!prev && !fresh && readdirSync(dir).some((f) => f !== '.sandbox.lock'))
    throw new SandboxError(`${dir} is not empty and holds no sandbox.json: choose another --dir (the sandbox never writes into a folder it did not make)`, true);
  if (!existsSync(testServerMain())) throw new SandboxError(`${testServerMain()} is missing: run \`npm run build\` first`, true);

  const L = layoutOf(dir);
  for (const d of [L.dir, L.shared, L.endpoints, L.logs, L.worktrees, L.repo, L.archive, L.run, L.bin]) mkdirSync(d, { recursive: true });
  mkdirSync(L.secrets, { recursive: true, mode: 0o700 });
  chmodSync(L.secrets, 0o700);

  const jobs = await chooseJobsMode(opts.jobs, opts.env);
  const state: SandboxState = {
    version: 1,
    dir,
    profile,
    jobs,
    createdAt: new Date().toISOString(),
    endpoints: {},
    processes: [],
    slurmJobs: [],
    slurmConf: jobs.mode === 'slurm' ? (opts.env['SLURM_CONF'] ?? null) : null,
  };
  await writeState(state);
  let sshd: SandboxSshd | null = null;
  if (jobs.mode === 'ssh') {
    const record = async (rec: (typeof state.processes)[number]) => {
      state.processes.push(rec);
      await writeState(state);
    };
    try {
      sshd = await startSandboxSshd(dir, L.run, opts.env, record);
      jobs.reason += ` (pid ${sshd.rec.pid}, port ${sshd.port})`;
    } catch (e) {
      if (opts.jobs === 'ssh') throw e;
      // auto: an sshd that cannot start here is a reason for local processes, not a failed up.
      jobs.mode = 'local';
      jobs.reason = `${jobs.reason.replace(/; direct mode: .*/, '')}; direct mode over its own sshd did not work (${(e as Error).message}), so plain local processes`;
    }
    await writeState(state);
  }
  opts.progress(`jobs: ${jobs.mode} (${jobs.reason})`);

  // The cloud key: random, in a 0600 file, given to the proxy stand-in by file (never argv).
  const keyFile = join(L.secrets, 'cloud.key');
  if (!existsSync(keyFile)) await writeFileAtomic(keyFile, `sbx-${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });

  const servers: Array<[name: string, args: string[]]> = [
    ['fast', ['--mode', 'healthy']],
    ['reasoning', ['--mode', 'loading', '--loading-ms', '20000']],
    ['dead-host', ['--mode', 'hang']],
    ['cloud', ['--kind', 'proxy', '--mode', 'healthy', '--api-key-file', keyFile]],
  ];
  const ports: Record<string, number> = {};
  for (const [name, args] of servers) {
    const out = join(L.run, `${name}.out`);
    writeFileSync(out, '');
    const rec = startRecorded(`endpoint:${name}`, [process.execPath, testServerMain(), '--port', '0', '--host', '127.0.0.1', ...args], { out });
    state.processes.push(rec);
    await writeState(state);
    ports[name] = await waitForPort(out);
    state.endpoints[name] = { url: `http://127.0.0.1:${ports[name]}`, port: ports[name] as number };
    await writeState(state);
    opts.progress(`endpoint ${name}: http://127.0.0.1:${ports[name]} (pid ${rec.pid})`);
  }
  await writeDiscovery(L, state);

  writeFileSync(
    configPath(dir),
    sandboxConfigYaml({
      swarmctl: join(repoRoot(), 'bin', 'swarmctl'),
      workerCommand: workerCommand(profile, L),
      layout: L,
      profile,
      ports: { fast: ports['fast']!, reasoning: ports['reasoning']!, dead: ports['dead-host']!, cloud: ports['cloud']! },
      jobs: jobs.mode,
      slurmConf: state.slurmConf,
      ...(sshd ? { sshHost: sshd.host } : {}),
    }),
  );

  const story = storyFor(profile);
  writeTracker(L, story);
  initRepo(L);

  for (const issue of story) {
    const [script, ...args] = workerCommand(profile, L).map((w) => w.replaceAll('{issue}', issue.id)) as [string, ...string[]];
    const env = {
      ...opts.env,
      SIM_OUTCOME: issue.outcome,
      SIM_REPO: L.repo,
      SIM_WORKTREES: L.worktrees,
      SIM_FAST_URL: `${state.endpoints['fast']!.url}/v1`,
      SIM_REASONING_URL: `${state.endpoints['reasoning']!.url}/v1`,
      ...issue.env,
    };
    const jobName = jobNameTemplate(dir).replace('{issue}', issue.id);
    if (jobs.mode === 'slurm') {
      // Through swarmctl's own submit (the project's job wrapper), so the state database knows
      // the jobs and the console and recovery see them as they would on a cluster.
      const jobId = await submitThroughSwarmctl(configPath(dir), issue.id, { SIM_OUTCOME: issue.outcome, ...issue.env }, opts.env);
      state.slurmJobs.push({ name: `worker:${issue.id}`, jobId, jobName, issue: issue.id });
      opts.progress(`worker ${issue.id} (${issue.outcome}): SLURM job ${jobId} (swarmctl submit)`);
    } else if (jobs.mode === 'ssh') {
      // Direct mode: swarmctl's own `submit --via ssh` to the sandbox's sshd; the worker is recorded
      // as a process (pid from the job id, start time from the submit's state file).
      const jobId = await submitThroughSwarmctl(configPath(dir), issue.id, { SIM_OUTCOME: issue.outcome, ...issue.env }, opts.env, 'ssh');
      const rec = sshWorkerRecord(`worker:${issue.id}`, jobId, L.logs);
      state.processes.push(rec);
      opts.progress(`worker ${issue.id} (${issue.outcome}): direct job ${jobId} (swarmctl submit --via ssh)`);
    } else {
      const rec = startRecorded(`worker:${issue.id}`, [script, ...args], { out: join(L.logs, `swarm-orch-local-${issue.id}.log`), env, cwd: L.dir });
      state.processes.push(rec);
      opts.progress(`worker ${issue.id} (${issue.outcome}): local pid ${rec.pid}`);
    }
    await writeState(state);
  }
  return { state, reused: false, config: configPath(dir) };
}

/** What a swarm job runs for one issue: the profile's simulator ({issue} filled in later). */
function workerCommand(profile: Profile, L: SandboxLayout): string[] {
  if (profile === 'python-worker') return [join(simDir(), 'python-worker-sim.sh'), '--issue', '{issue}', '--summary-path', join(L.repo, 'logs', 'mini-swarm', 'summary.jsonl')];
  if (profile === 'runbook') return [join(simDir(), 'runbook-swarm-sim.mjs'), '--issue', '{issue}'];
  return [join(simDir(), 'beefcake-swarm-sim.mjs'), '--issue', '{issue}'];
}

// Discovery records, job id `local:<the server's pid>` (a plain process, no SLURM job): beefcake's `<JOBID>-<tag>.json`, or
// for the runbook profile the runbook's `<JOBID>-fast.json` (host, port, model, started_at, health_url).
async function writeDiscovery(L: SandboxLayout, s: SandboxState): Promise<void> {
  const entries: Array<[name: string, tag: string, tier: string, model: string]> = [
    ['fast', '14b', 'fast+coder', 'strand-rust-coder-14b-q8_0'],
    ['reasoning', '27b', 'reasoning', 'Qwen3.5-27B'],
    ['dead-host', '14b', 'fast', 'strand-rust-coder-14b-q8_0'],
  ];
  for (const [name, tag, tier, model] of entries) {
    const rec = s.processes.find((p) => p.name === `endpoint:${name}`)!;
    const port = s.endpoints[name]!.port;
    if (s.profile === 'runbook') {
      const runbookDoc = { job_id: `local:${rec.pid}`, host: '127.0.0.1', port, model, started_at: rec.startedAt, health_url: `http://127.0.0.1:${port}/health` };
      await writeFileAtomic(join(L.endpoints, `local:${rec.pid}-${name === 'reasoning' ? 'reasoning' : 'fast'}.json`), `${JSON.stringify(runbookDoc, null, 2)}\n`);
      continue;
    }
    const doc = {
      job_id: `local:${rec.pid}`,
      mode: 'single',
      models: [model],
      tier,
      node: 'sandbox',
      host: '127.0.0.1',
      port,
      endpoint: `http://127.0.0.1:${port}/v1/chat/completions`,
      models_endpoint: `http://127.0.0.1:${port}/v1/models`,
      started_at: rec.startedAt,
      notes: `swarmctl sandbox: ${name}`,
    };
    await writeFileAtomic(join(L.endpoints, `local:${rec.pid}-${tag}.json`), `${JSON.stringify(doc, null, 4)}\n`);
  }
}

// The bd stand-in: a launcher in <dir>/bin/bd naming its own store (JSON-escaped, no shell).
function writeTracker(L: SandboxLayout, story: ReturnType<typeof storyFor>): void {
  const store = join(L.dir, 'bd-sim.json');
  const now = new Date().toISOString();
  const issues = Object.fromEntries(
    story.map((i) => [i.id, { id: i.id, title: `simulated issue: ${i.title}`, status: 'in_progress', assignee: 'sandbox-worker', priority: 2, issue_type: 'task', created_at: now, updated_at: now }]),
  );
  writeFileSync(store, `${JSON.stringify({ issues }, null, 2)}\n`);
  const launcher = `#!/usr/bin/env node\n// swarmctl sandbox: the bd stand-in (SIMULATOR), with this sandbox's store.\nprocess.env.BD_SIM_STORE = ${JSON.stringify(store)};\nimport(${JSON.stringify(pathToFileURL(join(simDir(), 'bd-sim.mjs')).href)});\n`;
  writeFileSync(join(L.bin, 'bd'), launcher, { mode: 0o755 });
}

function initRepo(L: SandboxLayout): void {
  if (existsSync(join(L.repo, '.git'))) return;
  const git = (...a: string[]) => execFileSync('git', ['-C', L.repo, '-c', 'user.name=swarmctl-sandbox', '-c', 'user.email=sandbox@sandbox.invalid', ...a], { stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(L.repo, 'README.md'), 'The sandbox repository the simulated swarm works on.\n');
  writeFileSync(join(L.repo, '.gitignore'), '.swarm-telemetry.jsonl\n.swarm-resume.json\nlogs/\n');
  git('add', 'README.md', '.gitignore');
  git('commit', '-q', '-m', 'sandbox: initial commit');
}
