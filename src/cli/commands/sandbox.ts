// `swarmctl sandbox up|down|status|reset`: a whole swarm cluster on this machine (loopback test
// servers, simulated workers, a bd stand-in) for a first look, demos, tests and drills.
import type { Command } from 'commander';
import { CliError, EXIT, examples, printJson, say, usageError } from '../output.js';

const PROFILES = ['beefcake', 'python-worker', 'runbook'] as const;
type Profile = (typeof PROFILES)[number];

interface Opts {
  dir?: string;
  profile?: string;
  jobs?: string;
  json?: boolean;
  tui?: boolean;
}

async function dirOf(opts: Opts): Promise<string> {
  const { resolve } = await import('node:path');
  const { defaultSandboxDir } = await import('../../sandbox/paths.js');
  return resolve(opts.dir ?? defaultSandboxDir());
}

function profileOf(p: string | undefined): Profile | undefined {
  if (p === undefined) return undefined;
  if (!(PROFILES as readonly string[]).includes(p)) throw usageError(`--profile ${p}: use one of ${PROFILES.join(', ')}`);
  return p as Profile;
}

function jobsOf(j: string | undefined): 'auto' | 'slurm' | 'ssh' | 'local' {
  if (j === undefined) return 'auto';
  if (j !== 'auto' && j !== 'slurm' && j !== 'ssh' && j !== 'local') throw usageError(`--jobs ${j}: use auto, slurm, ssh or local`);
  return j;
}

async function up(opts: Opts, reset: boolean): Promise<void> {
  const dir = await dirOf(opts);
  const profile = profileOf(opts.profile);
  const jobs = jobsOf(opts.jobs);
  const { sandboxUp, SandboxError } = await import('../../sandbox/up.js');
  const progress = (line: string) => say(line, true);
  const t0 = Date.now();
  let r;
  try {
    r = await sandboxUp({ dir, profile, jobs, env: process.env, progress, reset });
  } catch (e) {
    if (e instanceof SandboxError) throw e.usage ? usageError(e.message) : new CliError(e.message, EXIT.FAILED);
    throw new CliError(`sandbox up failed: ${(e as Error).message} (run \`swarmctl sandbox down --dir ${dir}\` to stop what started)`, EXIT.FAILED);
  }
  const summary = {
    dir,
    config: r.config,
    reused: r.reused,
    profile: r.state.profile,
    jobs: r.state.jobs,
    endpoints: r.state.endpoints,
    processes: r.state.processes.map((p) => ({ name: p.name, pid: p.pid, ...(p.jobId ? { job_id: p.jobId } : {}) })),
    slurm_jobs: r.state.slurmJobs.map((j) => ({ name: j.name, job_id: j.jobId })),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
  if (opts.json) printJson(summary);
  else
    say(
      `${r.reused ? 'sandbox already up, reused' : 'sandbox up'} in ${dir} (${r.state.profile}, jobs: ${r.state.jobs.mode})\n` +
        `  config: ${r.config}\n  console: swarmctl --config ${r.config} tui\n  stop:    swarmctl sandbox down${opts.dir ? ` --dir ${dir}` : ''}`,
      Boolean(opts.tui),
    );
  if (opts.tui) {
    const { spawnSync } = await import('node:child_process');
    const { sandboxChildEnv } = await import('../../sandbox/paths.js');
    const c = spawnSync(process.execPath, [process.argv[1] as string, '--config', r.config, 'tui'], { stdio: 'inherit', env: sandboxChildEnv(dir, process.env) });
    process.exitCode = c.status ?? EXIT.FAILED;
  }
}

export function register(program: Command): void {
  const sb = program
    .command('sandbox')
    .description('a whole swarm cluster on this machine: loopback llama/proxy test servers, a folder as the share, simulated workers, a bd stand-in')
    .addHelpText('after', examples('swarmctl sandbox up --tui', 'swarmctl sandbox status --json', 'swarmctl sandbox down', 'swarmctl sandbox reset --profile python-worker'));
  const common = (c: Command) => c.option('--dir <path>', 'sandbox folder (default: $XDG_STATE_HOME/swarmctl/sandbox)').option('--json', 'one JSON document on stdout');
  common(
    sb
      .command('up')
      .description('start the sandbox (reuses a running one); every process it starts is recorded in <dir>/sandbox.json')
      .option('--profile <name>', 'the orchestrator the simulated workers play: beefcake, python-worker, runbook (default: the profile the folder ran, else beefcake)')
      .option('--jobs <how>', "auto (SLURM when squeue answers, else direct mode over the sandbox's own sshd when sshd is on PATH, else local processes), slurm, ssh, local", 'auto')
      .option('--tui', 'then open the console on the sandbox config')
      .addHelpText('after', '\nExit: 0 up, 2 could not start (what started is recorded; `sandbox down` stops it), 64 bad usage or a folder that is not a sandbox.\n'),
  ).action((opts: Opts) => up(opts, false));
  common(
    sb
      .command('reset')
      .description('stop the sandbox, move its story files aside (<dir>/.archive/), and start again')
      .option('--profile <name>', 'beefcake, python-worker, runbook (default: the profile the folder ran)')
      .option('--jobs <how>', 'auto, slurm, ssh, local', 'auto')
      .option('--tui', 'then open the console on the sandbox config'),
  ).action((opts: Opts) => up(opts, true));
  common(sb.command('down').description('stop exactly what `sandbox up` started (recorded pid + start time, process group: endpoints, sshd, workers; its SLURM jobs); files stay')).action(
    async (opts: Opts) => {
      const dir = await dirOf(opts);
      const { sandboxDown } = await import('../../sandbox/down.js');
      const { state, result } = await sandboxDown(dir, process.env);
      if (!state) throw usageError(`no sandbox in ${dir} (no sandbox.json)`, 'pass --dir, or start one with `swarmctl sandbox up`');
      if (opts.json) printJson({ dir, ...result });
      else
        say(
          `sandbox down in ${dir}: stopped ${result.stopped.length} process(es)${result.cancelledJobs.length ? `, cancelled ${result.cancelledJobs.length} SLURM job(s)` : ''}` +
            `${result.alreadyGone.length ? `; already gone: ${result.alreadyGone.join(', ')}` : ''}${result.survivors.length ? `; STILL RUNNING: ${result.survivors.join(', ')}` : ''}`,
        );
      if (result.survivors.length) process.exitCode = EXIT.FAILED;
    },
  );
  common(
    sb
      .command('start')
      .argument('<endpoint>', 'fast, reasoning, dead-host or cloud')
      .description("start one of the sandbox's endpoints again on its own port, recorded (what `swarmctl restart` runs for them)")
      .addHelpText('after', '\nExit: 0 started or already running, 2 could not start, 64 no sandbox or no such endpoint.\n'),
  ).action(async (name: string, opts: Opts) => {
    const dir = await dirOf(opts);
    const { startEndpoint, StartEndpointError } = await import('../../sandbox/start-endpoint.js');
    let r;
    try {
      r = await startEndpoint(dir, name);
    } catch (e) {
      if (e instanceof StartEndpointError && e.usage) throw usageError(e.message, 'see `swarmctl sandbox status`');
      throw new CliError(`sandbox start ${name}: ${(e as Error).message}`, EXIT.FAILED);
    }
    if (opts.json) printJson({ dir, endpoint: name, started: r.started, pid: r.rec.pid, port: r.port, discovery: r.discovery ?? null });
    else say(`${r.started ? 'started' : 'already running:'} endpoint ${name} on 127.0.0.1:${r.port} (pid ${r.rec.pid})${r.discovery ? `; discovery record ${r.discovery}` : ''}`);
  });
  common(sb.command('status').description('what the sandbox started and whether it still runs')).action(async (opts: Opts) => {
    const dir = await dirOf(opts);
    const { sandboxStatus } = await import('../../sandbox/down.js');
    const s = await sandboxStatus(dir, process.env);
    if (!s.state) throw usageError(`no sandbox in ${dir} (no sandbox.json)`, 'pass --dir, or start one with `swarmctl sandbox up`');
    const running = s.processes.filter((p) => p.running).length + s.jobs.filter((j) => j.running).length;
    const up = running > 0 && !s.state.downAt;
    if (opts.json)
      printJson({
        dir,
        up,
        profile: s.state.profile,
        jobs: s.state.jobs,
        endpoints: s.state.endpoints,
        processes: s.processes.map(({ argv: _a, jobId, ...p }) => ({ ...p, ...(jobId ? { job_id: jobId } : {}) })),
        slurm_jobs: s.jobs,
      });
    else {
      say(`sandbox in ${dir}: ${up ? 'up' : 'down'} (${s.state.profile}, jobs: ${s.state.jobs.mode} — ${s.state.jobs.reason})`);
      for (const p of s.processes) say(`  ${p.running ? 'running' : 'stopped'}  ${p.name.padEnd(24)} pid ${p.pid}${p.jobId ? ` (direct job ${p.jobId})` : ''}`);
      for (const j of s.jobs) say(`  ${j.running === null ? 'unknown' : j.running ? 'running' : 'ended  '}  ${j.name.padEnd(24)} SLURM job ${j.jobId}`);
    }
    process.exitCode = up ? EXIT.OK : EXIT.FAILED;
  });
}
