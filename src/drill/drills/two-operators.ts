// two-operators: while one `swarmctl restart` holds the operator lock, a second one must be refused
// (exit 2, as `restart --help` documents) naming the holder's user@host and pid, and must change
// nothing. The first restart is made to take a while with a service, in a copy of the config, whose
// start takes 8 s; it shares the sandbox's share, so it is the same lock. Undo: the first ends, the lock is free.
import { spawn } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { configCopy, freePort, jsonOf, secs, sleep, waitFor } from '../helpers.js';
import type { Drill } from '../types.js';

interface LockStatus {
  held: boolean;
  holder?: { user: string; host: string; pid: number; command: string };
}

export const twoOperators: Drill = {
  name: 'two-operators',
  summary: 'a second `swarmctl restart` while one runs is refused with the holder named (user@host, pid)',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 90,
  async run(ctx) {
    const port = await freePort();
    const cfg = await configCopy(ctx, 'two-operators', (d) => {
      d['services'] = {
        ...d['services'],
        'drill-slow': {
          kind: 'http',
          description: 'swarmctl drill two-operators: a service whose start takes 8 s',
          url: `http://127.0.0.1:${port}`,
          start: [['sleep', '8']],
          detach: false,
          verify_timeout_s: 1,
        },
      };
    });
    const free0 = jsonOf<LockStatus>(await ctx.swarmctl(['lock', 'status', '--json']), 'lock status');
    if (free0.held) throw new Error(`the operator lock is already held by ${free0.holder?.user}@${free0.holder?.host} pid ${free0.holder?.pid}: not starting a drill on a busy cluster`);

    const argv = ctx.swarmctlArgv(['restart', '--yes', '--json', '--only', 'drill-slow'], cfg);
    const t0 = Date.now();
    const first = spawn(argv[0]!, argv.slice(1), { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOut = '';
    first.stdout.on('data', (c: Buffer) => (firstOut += c.toString('utf8')));
    first.stderr.on('data', () => {});
    const firstDone = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
    ctx.cleanup(async () => {
      if (first.exitCode === null && first.signalCode === null) {
        await Promise.race([firstDone, sleep(20_000)]);
        if (first.exitCode === null) first.kill('SIGTERM');
        await Promise.race([firstDone, sleep(5000)]);
      }
      const st = jsonOf<LockStatus>(await ctx.swarmctl(['lock', 'status', '--json']), 'lock status');
      ctx.observe(`undo: first restart ended (exit ${first.exitCode ?? first.signalCode}); operator lock ${st.held ? `STILL HELD by pid ${st.holder?.pid}` : 'free'}`);
      if (st.held && st.holder?.pid === first.pid) await ctx.swarmctl(['lock', 'release', '--force']);
    });
    ctx.observe(`operator 1: swarmctl restart --yes --only drill-slow (pid ${first.pid}; config copy ${cfg} with a service whose start is \`sleep 8\`)`);

    const held = await waitFor(
      async () => {
        const st = jsonOf<LockStatus>(await ctx.swarmctl(['lock', 'status', '--json']), 'lock status');
        return st.held && st.holder?.pid === first.pid ? st : undefined;
      },
      20_000,
      ctx.signal,
      200,
    );
    if (!held) throw new Error(`the first restart (pid ${first.pid}) never showed as the lock holder within 20 s`);
    ctx.observe(`lock status: held by ${held.holder!.user}@${held.holder!.host} pid ${held.holder!.pid} "${held.holder!.command}" after ${secs(Date.now() - t0)}`);

    const second = await ctx.swarmctl(['restart', '--yes'], { timeoutMs: 30_000 });
    const msg = `${second.stderr}${second.stdout}`.trim().split('\n')[0] ?? '';
    const me = `${userInfo().username}@${hostname()}`;
    ctx.observe(`operator 2: swarmctl restart --yes -> exit ${second.code} in ${secs(second.ms)}: ${msg}`);
    const stillRunning = first.exitCode === null;
    const refusedOk = second.code === 2 && msg.includes(me) && msg.includes(`pid ${first.pid}`);
    ctx.observe(
      `refusal names ${me}: ${msg.includes(me) ? 'yes' : 'no'}; names pid ${first.pid}: ${msg.includes(`pid ${first.pid}`) ? 'yes' : 'no'}; operator 1 still running then: ${stillRunning ? 'yes' : 'no'}`,
    );

    const code = await Promise.race([firstDone, sleep(30_000, ctx.signal).then(() => 'timeout' as const)]);
    const runDone = firstOut.split('\n').some((l) => l.includes('"run_done"'));
    ctx.observe(`operator 1 finished (exit ${code}) ${secs(Date.now() - t0)} after it started; its NDJSON ${runDone ? 'ends with run_done' : 'has no run_done'}`);
    return refusedOk && stillRunning;
  },
};
