// A running step records its phase (check, act, verify) in its run record, so the
// console's restart view can say what a run started by anyone is doing now.
// A real SQLite file; the service is a fake whose probe answers down, then up.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/db.js';
import { runSteps } from '../../../src/store/restart-runs.js';
import { runRestart } from '../../../src/restart/run.js';
import type { PlanStep } from '../../../src/restart/plan.js';
import { stepState } from '../../../src/console/restart-view.js';

describe('restart run phases', () => {
  it('a step reads check while checked, act while its start runs, verify while verified; done after', async () => {
    const store = openStore(join(mkdtempSync(join(tmpdir(), 'swarmctl-phase-')), 'db'));
    const plan: PlanStep[] = [{ name: 'model', kind: 'llama-server', checks: 'x', start: [['start-it']], dependsOn: [], verifyTimeoutS: 5 }];
    const seen: string[] = [];
    const phase = () => {
      const s = runSteps(store, 1)[0]!;
      return stepState(s);
    };
    let probes = 0;
    const summary = await runRestart(
      store,
      plan,
      {},
      {
        probe: async () => {
          seen.push(`probe:${phase()}`);
          return probes++ === 0 ? { status: 'down', reason: 'refused', latencyMs: 1 } : { status: 'up', reason: 'ok', latencyMs: 1 };
        },
        run: async (_s, argv) => {
          seen.push(`run:${phase()}`);
          return { ok: true, exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 1, timedOut: false, argv } as any;
        },
        swarmJobs: { pending: async () => ({ issues: [], note: '' }), submit: async () => [] },
        sleep: async () => {},
      },
      () => {},
    );
    expect(summary.status).toBe('done');
    expect(seen).toEqual(['probe:checking', 'run:acting', 'probe:verifying']);
    expect(stepState(runSteps(store, 1)[0]!)).toBe('done');
    store.close();
  });
});
