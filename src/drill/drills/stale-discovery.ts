// stale-discovery: a discovery record whose job is gone must be listed stale and `endpoints gc`
// must move it to the archive (nothing deleted). The drill makes its own record for a job it saw
// end (a real SLURM job it submitted; with local jobs, a process it started), so the sandbox's
// own records are not what is tested. Undo: records of the sandbox that gc moved go back.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { layoutOf } from '../../sandbox/config-yaml.js';
import { freePort, jsonOf, waitFor } from '../helpers.js';
import type { Drill, DrillContext } from '../types.js';

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      resolve({ code: !e ? 0 : typeof e.code === 'number' ? e.code : 2, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A job id that is gone for sure: a SLURM job seen to end, or (local jobs) a process seen to exit. */
async function goneJob(ctx: DrillContext): Promise<string> {
  if (ctx.state.jobs.mode === 'slurm') {
    const sb = await run(['sbatch', '--parsable', '--job-name=drill-stale-discovery', '--output=/dev/null', '--wrap', 'true'], ctx.env);
    const id = sb.stdout.trim().split(';')[0] ?? '';
    if (sb.code !== 0 || !/^\d+$/.test(id)) throw new Error(`sbatch of the short job failed (exit ${sb.code}): ${sb.stderr.trim()}`);
    const ended = await waitFor(
      async () => {
        const q = await run(['squeue', '-h', '-j', id, '-o', '%T'], ctx.env);
        return q.code === 0 && !/PENDING|RUNNING|CONFIGURING|COMPLETING/.test(q.stdout) ? q.stdout.trim() || 'gone' : undefined;
      },
      60_000,
      ctx.signal,
      500,
    );
    if (!ended) throw new Error(`SLURM job ${id} did not end within 60 s`);
    ctx.observe(`SLURM job ${id} (sbatch --wrap true) ended: squeue says ${ended === 'gone' ? 'nothing' : ended}`);
    return id;
  }
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  ctx.observe(`local process ${pid} (node -e 0) exited`);
  return `local:${pid}`;
}

export const staleDiscovery: Drill = {
  name: 'stale-discovery',
  summary: 'a discovery record whose job is gone is listed stale and `endpoints gc` moves it to the archive',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 120,
  async run(ctx) {
    const L = layoutOf(ctx.dir);
    const jobId = await goneJob(ctx);
    const port = await freePort();
    const file = `${jobId.replace(/[^A-Za-z0-9_]/g, '_')}-drill.json`;
    const path = join(L.endpoints, file);
    const doc = {
      job_id: jobId,
      mode: 'single',
      models: ['drill-stale-model'],
      tier: 'fast',
      node: 'sandbox',
      host: '127.0.0.1',
      port,
      endpoint: `http://127.0.0.1:${port}/v1/chat/completions`,
      models_endpoint: `http://127.0.0.1:${port}/v1/models`,
      started_at: new Date(Date.now() - 60_000).toISOString(),
      notes: 'swarmctl drill stale-discovery: a record left by a job that ended',
    };
    const text = `${JSON.stringify(doc, null, 4)}\n`;
    await writeFileAtomic(path, text);
    ctx.cleanup(async () => {
      // Only if gc did not take it (a FAIL): the drill's own record does not stay behind.
      if (existsSync(path)) renameSync(path, join(L.archive, `drill-left-${Date.now()}-${file}`));
    });
    ctx.observe(`wrote ${file} (job ${jobId}, port ${port})`);

    const list = jsonOf<{ entries: Array<{ file: string; status: string; reason: string }> }>(await ctx.swarmctl(['endpoints', 'list', '--json']), 'endpoints list');
    const entry = list.entries.find((e) => e.file === file);
    ctx.observe(`endpoints list: ${file} is ${entry ? `${entry.status} (${entry.reason})` : 'not listed'}`);
    const staleOk = entry?.status === 'stale';

    const gcRun = await ctx.swarmctl(['endpoints', 'gc', '--json']);
    const gc = jsonOf<{ ok: boolean; moved: Array<{ from: string; to: string }>; error?: string }>(gcRun, 'endpoints gc');
    // gc moves every stale record; the sandbox's own that it moved go back afterwards.
    const others = gc.moved.filter((m) => basename(m.from) !== file);
    ctx.cleanup(() => {
      for (const m of others) if (existsSync(m.to) && !existsSync(m.from)) renameSync(m.to, m.from);
      if (others.length) ctx.observe(`undo: moved back ${others.length} sandbox record(s) gc had archived too (${others.map((m) => basename(m.from)).join(', ')})`);
    });
    const mine = gc.moved.find((m) => basename(m.from) === file);
    const archivedSame = mine !== undefined && existsSync(mine.to) && readFileSync(mine.to, 'utf8') === text;
    ctx.observe(
      `endpoints gc (exit ${gcRun.code}): moved ${gc.moved.length} record(s)${mine ? `; ${file} -> ${mine.to} (${archivedSame ? 'same bytes' : 'CONTENT DIFFERS OR MISSING'})` : `; ${file} not moved${gc.error ? `: ${gc.error}` : ''}`}; ${existsSync(path) ? 'still in' : 'gone from'} the endpoints folder`,
    );
    return staleOk && archivedSame && !existsSync(path);
  },
};
