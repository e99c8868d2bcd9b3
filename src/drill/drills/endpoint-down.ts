// endpoint-down: kill the sandbox's fast endpoint (the recorded process, start time checked);
// `probe --watch` must show it down within the failure threshold, the webhook must get the
// transition to down exactly once, and `endpoints resolve --tier fast` must hand out another
// endpoint. Undo: the endpoint starts again on its port through the sandbox's own start.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { startEndpoint } from '../../sandbox/start-endpoint.js';
import { procIdentity, stillSame } from '../../io/proc.js';
import { readState, writeState } from '../../sandbox/records.js';
import { withDirLock } from '../../sandbox/dir-lock.js';
import { startRecorded, waitForPort } from '../../sandbox/start.js';
import { configCopy, jsonOf, secs, sleep, waitFor } from '../helpers.js';
import type { Drill, DrillContext } from '../types.js';

interface Hook {
  service: string;
  from: string | null;
  to: string;
  reason: string;
}

/** A loopback webhook receiver that keeps every event it is sent. */
async function receiver(): Promise<{ url: string; events: Hook[]; close: () => Promise<void> }> {
  const events: Hook[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString('utf8')));
      req.on('end', () => resolve(s));
    });
  const srv = createServer((req, res) => {
    void body(req).then((text) => {
      try {
        events.push(JSON.parse(text) as Hook);
      } catch {
        /* not an event: ignored, and it shows as a missing one */
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const a = srv.address() as { port: number };
  return { url: `http://127.0.0.1:${a.port}/hook`, events, close: () => new Promise((r) => srv.close(() => r())) };
}

/** A second healthy fast-tier server (the standby `resolve` should fall back to), recorded so `sandbox down` stops it too. */
async function startStandby(ctx: DrillContext): Promise<{ url: string; pid: number }> {
  const fast = ctx.state.processes.find((p) => p.name === 'endpoint:fast')!;
  const argv = [...fast.argv];
  argv[argv.indexOf('--port') + 1] = '0';
  const out = join(ctx.dir, 'run', 'drill-fast-standby.out');
  const rec = await withDirLock(ctx.dir, async () => {
    const s = readState(ctx.dir)!;
    const r = startRecorded('drill:fast-standby', argv, { out });
    s.processes.push(r);
    await writeState(s);
    return r;
  });
  ctx.cleanup(() => stopRecorded(ctx.dir, rec.name));
  const port = await waitForPort(out);
  return { url: `http://127.0.0.1:${port}`, pid: rec.pid };
}

async function stopRecorded(dir: string, name: string): Promise<void> {
  await withDirLock(dir, async () => {
    const s = readState(dir)!;
    for (const p of s.processes.filter((q) => q.name === name)) {
      if (stillSame(p.pid, p.startTime)) process.kill(-p.pgid, 'SIGTERM');
      await waitFor(() => (stillSame(p.pid, p.startTime) ? undefined : true), 5000);
    }
    s.processes = s.processes.filter((q) => q.name !== name);
    await writeState(s);
  });
}

export const endpointDown: Drill = {
  name: 'endpoint-down',
  summary: 'kill the fast endpoint: probe shows it down within the failure threshold, the webhook fires once, resolve falls back',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 120,
  async run(ctx) {
    const fast = ctx.state.processes.find((p) => p.name === 'endpoint:fast');
    const ep = ctx.state.endpoints['fast'];
    if (!fast || !ep) throw new Error('the sandbox records no endpoint:fast');
    if (!stillSame(fast.pid, fast.startTime)) throw new Error(`endpoint:fast pid ${fast.pid} is not the recorded process (start time differs or gone)`);

    const hook = await receiver();
    ctx.cleanup(hook.close);
    const standby = await startStandby(ctx);
    // A copy of the config: the webhook, the standby as the fast fallback, quick re-probes. Its own
    // database, so the debounce starts from this drill's first sweep and no console shares it.
    const cfg = await configCopy(ctx, 'endpoint-down', (d) => {
      d['webhook'] = { url: hook.url, timeout_s: 5 };
      d['swarm'] = { ...d['swarm'], fallback_urls: { ...(d['swarm']?.fallback_urls ?? {}), fast: standby.url } };
      d['thresholds'] = { ...d['thresholds'], probe_interval_s: 1, down_interval_s: 1 };
    });
    const threshold = 3;
    const db = join(ctx.dir, 'run', `drill-endpoint-down-${Date.now()}.db`);
    ctx.observe(`config copy ${cfg}: webhook ${hook.url}, fallback_urls.fast = standby ${standby.url} (pid ${standby.pid}), probe every 1 s, failure_threshold ${threshold} (default)`);

    const before = jsonOf<{ url: string; source: string }>(await ctx.swarmctl(['--db', db, 'endpoints', 'resolve', '--tier', 'fast', '--json'], { config: cfg }), 'endpoints resolve');
    ctx.observe(`before: endpoints resolve --tier fast -> ${before.url} (${before.source})`);

    // probe --watch --json: one NDJSON document per sweep.
    const watch = spawn(ctx.swarmctlArgv(['--db', db, 'probe', 'fast', '--watch', '--json'], cfg)[0]!, ctx.swarmctlArgv(['--db', db, 'probe', 'fast', '--watch', '--json'], cfg).slice(1), {
      env: ctx.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sweeps: Array<{ at: number; status: string; reason: string }> = [];
    let buf = '';
    watch.stdout.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const doc = JSON.parse(line) as { services?: Array<{ name?: string; service?: string; status: string; reason: string }> };
          const s = doc.services?.find((x) => (x.name ?? x.service) === 'fast');
          if (s) sweeps.push({ at: Date.now(), status: s.status, reason: s.reason });
        } catch {
          /* a partial or non-JSON line */
        }
      }
    });
    let stderr = '';
    watch.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const watchDone = new Promise<number | null>((r) => watch.on('exit', (code) => r(code)));
    ctx.cleanup(async () => {
      if (watch.exitCode === null) watch.kill('SIGTERM');
      await Promise.race([watchDone, sleep(10_000)]);
      if (watch.exitCode === null) watch.kill('SIGKILL');
    });

    const firstUp = await waitFor(() => (sweeps.some((s) => s.status === 'up') ? true : undefined), 20_000, ctx.signal);
    if (!firstUp) throw new Error(`probe --watch never showed fast up (sweeps: ${sweeps.map((s) => s.status).join(', ') || 'none'}; ${stderr.trim().split('\n').pop() ?? ''})`);
    ctx.observe(`probe --watch: fast up before the kill (${sweeps.length} sweep(s))`);

    // The kill, and the undo (registered first so it runs after the watch is stopped).
    ctx.cleanup(async () => {
      const r = await startEndpoint(ctx.dir, 'fast');
      ctx.observe(`undo: endpoint fast ${r.started ? 'started again' : 'was running'} on port ${r.port} (pid ${r.rec.pid}, recorded in sandbox.json)`);
    });
    const id = procIdentity(fast.pid);
    if (!id || id.startTime !== fast.startTime) throw new Error(`endpoint:fast pid ${fast.pid} changed before the kill`);
    const killedAt = Date.now();
    const sweepsBefore = sweeps.length;
    process.kill(-fast.pgid, 'SIGKILL');
    ctx.observe(`killed endpoint:fast pid ${fast.pid} (process group ${fast.pgid}, start time ${fast.startTime} checked) on port ${ep.port}`);

    const down = await waitFor(() => sweeps.slice(sweepsBefore).find((s) => s.status === 'down'), 30_000, ctx.signal);
    const after = sweeps.slice(sweepsBefore);
    const nDown = down ? after.indexOf(down) + 1 : -1;
    ctx.observe(`probe --watch after the kill: ${after.map((s) => s.status).join(' -> ')}${down ? `; down at sweep ${nDown} after ${secs(down.at - killedAt)} (${down.reason})` : '; never down'}`);
    const downOk = down !== undefined && nDown <= threshold + 1;

    const res = jsonOf<{ url: string | null; source: string }>(await ctx.swarmctl(['--db', db, 'endpoints', 'resolve', '--tier', 'fast', '--json'], { config: cfg }), 'endpoints resolve');
    const healthy = res.url
      ? await fetch(`${res.url}/health`).then(
          (r) => r.status === 200,
          () => false,
        )
      : false;
    ctx.observe(`after: endpoints resolve --tier fast -> ${res.url ?? 'none'} (${res.source}); its /health ${healthy ? 'answers 200' : 'does not answer'}`);
    const resolveOk = res.url !== null && res.url !== ep.url && healthy;

    // Stop the watch: at exit it delivers what it still holds; then count what arrived.
    watch.kill('SIGTERM');
    await Promise.race([watchDone, sleep(15_000, ctx.signal)]);
    await sleep(300, ctx.signal);
    const mine = hook.events.filter((e) => e.service === 'fast');
    const toDown = mine.filter((e) => e.to === 'down');
    ctx.observe(`webhook received ${hook.events.length} event(s); for fast: ${mine.map((e) => `${e.from}->${e.to}`).join(', ') || 'none'}; transitions to down: ${toDown.length}`);
    const hookOk = toDown.length === 1;
    return downOk && resolveOk && hookOk;
  },
};
