// A FIFO planted where the operator lock or a host's journal lives must not hang swarmctl:
// `lock status` reports the lock held (unknown state is never free) and says what is there;
// `audit` goes on without that journal. Built binary; each call has a hard timeout so a
// regression fails instead of hanging the run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-lockfifo-'));
const config = join(dir, 'swarmctl.yaml');
writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\n`);
mkdirSync(join(dir, 'ai/swarmctl/journal'), { recursive: true });

describe('FIFOs in the share', () => {
  it('a FIFO as the operator lock: lock status answers at once, held, naming what is there', async () => {
    execFileSync('mkfifo', [join(dir, 'ai/swarmctl/operator.lock')]);
    const t0 = Date.now();
    const r = await runBin(['--config', config, '--db', join(dir, 'a.db'), 'lock', 'status', '--json'], { timeoutMs: 20_000 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    const doc = JSON.parse(r.stdout);
    expect(doc.held).toBe(true);
    expect(JSON.stringify(doc)).toMatch(/a FIFO, not a regular file/);
  });

  it("a FIFO as another host's journal: audit answers at once", async () => {
    execFileSync('mkfifo', [join(dir, 'ai/swarmctl/journal/other-host.jsonl')]);
    const t0 = Date.now();
    const r = await runBin(['--config', config, '--db', join(dir, 'b.db'), 'audit', '--json'], { timeoutMs: 20_000 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toBeDefined();
  });
});
