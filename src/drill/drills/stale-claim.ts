// stale-claim (python worker): the worker claims an issue (`bd update --claim`) and never
// reopens it, so a claim whose run is gone stays in_progress and `bd ready` stops offering it.
// The drill leaves such a claim in the tracker stand-in, with no job anywhere, and checks that
// diagnose calls it stale_claim and `recover --yes` reopens it in the stand-in's own store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLocal } from '../../io/run.js';
import { layoutOf } from '../../sandbox/config-yaml.js';
import { swarmctlJson, waitFor } from '../cli-json.js';
import type { Drill, DrillContext } from '../types.js';

interface StoredIssue {
  status?: string;
  assignee?: string;
  notes?: Array<{ text: string }>;
}

export const staleClaim: Drill = {
  name: 'stale-claim',
  summary: 'an issue left in_progress with no live run is diagnosed stale_claim; recover --yes reopens it in the tracker (status open, assignee cleared, a note)',
  profiles: ['python-worker'],
  timeoutS: 90,
  run,
};

async function run(ctx: DrillContext): Promise<boolean> {
  const bd = join(layoutOf(ctx.dir).bin, 'bd');
  const store = join(ctx.dir, 'bd-sim.json');
  const tracker = async (...argv: string[]) => {
    const r = await runLocal({ argv: [bd, ...argv], timeoutMs: 15_000, env: { USER: 'sandbox-worker' } });
    if (!r.ok) throw new Error(`bd ${argv.join(' ')} failed (exit ${r.exitCode ?? r.spawnError}): ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return r.stdout;
  };
  const stored = (id: string): StoredIssue | undefined => (JSON.parse(readFileSync(store, 'utf8')) as { issues: Record<string, StoredIssue> }).issues[id];

  // A new issue each time: the recovery budget counts per issue, so the drill can run again.
  const issue = `sbx-stale-claim-${Date.now().toString(36)}`;
  await tracker('create', 'drill: a claim left behind by a run that is gone', '--id', issue, '-t', 'task', '-p', '2');
  ctx.cleanup(async () => {
    await runLocal({ argv: [bd, 'close', issue], timeoutMs: 15_000 });
  });
  await tracker('update', issue, '--claim');
  const before = stored(issue);
  if (before?.status !== 'in_progress') throw new Error(`bd update ${issue} --claim left it ${before?.status ?? 'missing'} in ${store}`);
  ctx.observe(`left ${issue} in_progress (assignee ${before.assignee ?? '?'}) in the tracker stand-in, with no job`);

  const d = await waitFor(
    `diagnose ${issue} to report stale_claim`,
    async () => {
      const { doc } = await swarmctlJson<{ diagnoses: Array<{ kind: string; summary: string; evidence: Array<{ file: string; text: string }> }> }>(ctx, ['diagnose', issue], 30_000);
      return doc.diagnoses.find((x) => x.kind === 'stale_claim' && x.evidence.length > 0) ?? null;
    },
    30_000,
    1500,
    ctx.signal,
  );
  ctx.observe(`diagnose ${issue}: stale_claim (${d.summary}); evidence ${d.evidence[0]?.file}: ${d.evidence[0]?.text}`);

  const { doc: rec } = await swarmctlJson<{
    plan: { kind: string | null; refusal?: string; actions: Array<{ type: string; argv?: string[][] }> };
    result: { outcome: string; actions: Array<{ type: string; outcome: string; detail: string }> } | null;
  }>(ctx, ['recover', issue, '--yes'], 60_000);
  if (rec.plan.refusal) throw new Error(`recover ${issue} refused: ${rec.plan.refusal}`);
  const step = rec.result?.actions.find((a) => a.type === 'tracker_return');
  if (rec.plan.kind !== 'stale_claim' || step?.outcome !== 'ok')
    throw new Error(`recover ${issue} (${rec.plan.kind ?? 'no diagnosis'}) did not return it to the tracker: ${step?.detail ?? rec.result?.outcome ?? 'no result'}`);
  const argv = rec.plan.actions.find((a) => a.type === 'tracker_return')?.argv ?? [];
  ctx.observe(`recover --yes ran ${argv.map((a) => a.slice(1, 3).join(' ') + ' …').join(' ; ')}`);

  // What the stand-in's store now holds.
  const after = stored(issue);
  const note = after?.notes?.find((n) => n.text.startsWith('swarmctl:'));
  if (after?.status !== 'open' || after.assignee !== '' || !note)
    throw new Error(`${store} has ${issue} as status ${after?.status ?? '?'}, assignee ${JSON.stringify(after?.assignee)}, ${note ? 'a' : 'no'} swarmctl note; expected open, "", a note`);
  ctx.observe(`tracker store: ${issue} status open, assignee "", note "${note.text.slice(0, 80)}…"`);

  const { doc: audit } = await swarmctlJson<{ rows: Array<{ id: number; action: string; outcome: string; detail: string | null }> }>(ctx, ['audit', '--issue', issue, '--limit', '20'], 30_000);
  const row = audit.rows.find((r) => r.action === 'recover.tracker_return' && r.outcome === 'ok');
  if (!row) throw new Error(`swarmctl audit has no recover.tracker_return row for ${issue}`);
  ctx.observe(`audit #${row.id} ${row.action} ${row.outcome}`);
  return true;
}
