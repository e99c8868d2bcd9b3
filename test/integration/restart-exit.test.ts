// `swarmctl restart` exit codes through the binary: a run in which nothing came up
// (its only step's host is unreachable over SSH) is "failed" (2), not "partly done" (1).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';

describe('restart exit code', () => {
  it('exits 2 when every step it ran failed (start on an unreachable SSH host)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmctl-restart-exit-'));
    const shared = join(dir, 'shared');
    mkdirSync(join(shared, 'archive'), { recursive: true });
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(
      config,
      `version: 1
hosts:
  deadhost:
    address: 127.0.0.1
    port: 1
services:
  ghost:
    kind: llama-server
    host: deadhost
    url: http://127.0.0.1:1
    start: [/bin/true]
paths:
  shared_root: ${shared}
`,
    );
    const r = await runBin(['--config', config, '--db', join(dir, 'state.db'), 'restart', '--yes', '--json'], { timeoutMs: 60_000 });
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ event: 'run_done', status: 'failed', done: 0, failed: 1 });
    expect(r.code, r.stderr).toBe(2);
  }, 70_000);
});
