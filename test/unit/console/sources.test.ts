// Several consumers (every panel, the issues join) but ONE queue load per interval.
import { describe, expect, it } from 'vitest';
import { createConsoleMonitor, type Backends } from '../../../src/console/sources.js';
import type { JobRow } from '../../../src/console/view-model.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console sources', () => {
  it('polls the queue once per interval and hands the same jobs to the issues join', async () => {
    let queueCalls = 0;
    const seenByIssues: number[] = [];
    const job: JobRow = { jobId: '1', issueId: 'a', name: 'swarm-a', state: 'RUNNING', reason: '', elapsed: '0:01', node: 'n', via: 'slurm' };
    const b: Backends = {
      endpoints: async () => [],
      queue: async () => {
        queueCalls++;
        return [job];
      },
      issues: async (jobs) => {
        seenByIssues.push(jobs.length);
        return [];
      },
      telemetry: async () => [],
      alerts: async () => [],
    };
    const m = createConsoleMonitor(b, { endpointsMs: 20, queueMs: 100, issuesMs: 20, telemetryMs: 20, alertsMs: 20, timeoutMs: 500, queueTimeoutMs: 500 });
    m.start();
    await wait(450);
    m.stop();
    // 450 ms at a 100 ms interval: the first load plus one per interval, never more.
    expect(queueCalls).toBeGreaterThanOrEqual(3);
    expect(queueCalls).toBeLessThanOrEqual(5);
    expect(seenByIssues.filter((n) => n === 1).length).toBeGreaterThan(queueCalls); // issues polled faster, from the shared snapshot
  });
});
