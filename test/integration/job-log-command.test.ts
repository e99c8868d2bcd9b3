// A job log read through a command on a host (the dogfood loop's journal, issue 17): over the
// real test sshd, a long-running loop's output is read with a bounded command, split into
// records and matched with the python-worker catalogue; a hung command is cut at its timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import type { ResolvedConfig } from '../../src/config/resolve.js';
import { readCommandLog } from '../../src/recovery/job-log-command.js';
import { matchSignatures } from '../../src/recovery/signature-match.js';
import { PYTHON_WORKER_CATALOGUE } from '../../src/config/signatures-pyworker.js';
import { requireCluster } from '../support/cluster.js';
import { LOOPBACK_CONFIG } from '../support/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-journal-'));
const journal = join(dir, 'dogfood-loop.journal');
let cfg: ResolvedConfig;
let loop: ChildProcess;

beforeAll(() => {
  requireCluster();
  const c = loadConfigFile(LOOPBACK_CONFIG);
  if (!c.ok) throw new Error(c.problems.map((p) => p.message).join('; '));
  cfg = c.config;
  // A long-running "service" in the dogfood loop's place: the shared sample, a line at a time.
  const lines = readFileSync(new URL('../../fixtures/pyworker/dogfood.stdout.log', import.meta.url), 'utf8').split('\n');
  writeFileSync(journal, '');
  loop = spawn('bash', ['-c', 'while IFS= read -r l; do printf "%s\\n" "$l" >> "$1"; sleep 0.01; done; sleep 600', 'loop', journal], { stdio: ['pipe', 'ignore', 'ignore'] });
  loop.stdin?.end(lines.join('\n'));
});
afterAll(() => {
  loop?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('readCommandLog over SSH', () => {
  it("reads the loop's output on the host and finds the no-change run with its line", async () => {
    // Wait until the loop has written the whole sample.
    for (let i = 0; i < 200 && !readFileSync(journal, 'utf8').includes('dogfood loop exited'); i++) await new Promise((r) => setTimeout(r, 50));
    const log = await readCommandLog(cfg, { argv: ['tail', '-n', '+1', journal], host: 'local' }, { issue: 'beefcake-3xkfa', since: '2026-04-20T00:00:00Z' });
    expect(log).toMatchObject({ ok: true, source: 'journal:local', truncated: false });
    const stuck = matchSignatures(log.records, PYTHON_WORKER_CATALOGUE).find((k) => k.kind === 'stuck_loop');
    expect(stuck?.fired).toBe(true);
    const ev = stuck?.evidence.find((e) => e.role === 'trigger');
    expect(ev?.text).toMatch(/→ beefcake-3xkfa: no_change wall=/);
    expect(readFileSync(journal, 'utf8').split('\n')[(ev?.line ?? 0) - 1]).toContain('beefcake-3xkfa: no_change');
    expect(log.records.every((r) => r.message.includes('beefcake-3xkfa'))).toBe(true);
  });

  it("another issue's resolved run later in the journal does not rule this one's failure out", async () => {
    const log = await readCommandLog(cfg, { argv: ['tail', '-n', '+1', journal], host: 'local' }, { issue: 'beefcake-q7m2d', since: '' });
    expect(matchSignatures(log.records, PYTHON_WORKER_CATALOGUE).filter((k) => k.fired)).toEqual([]);
  });

  it('fills {issue} and {since} word by word, never through a shell', async () => {
    const log = await readCommandLog(cfg, { argv: ['printf', '%s|%s\\n', '{issue}', '--since={since}'], host: 'local' }, { issue: 'a;b $(x)', since: '2026-04-20T00:00:00Z' });
    expect(log.records.map((r) => r.message)).toEqual(['a;b $(x)|--since=2026-04-20T00:00:00Z']);
  });

  it('a command that hangs is killed at its timeout and reported', async () => {
    const t0 = Date.now();
    const log = await readCommandLog(cfg, { argv: ['sleep', '30'], host: 'local' }, { issue: 'x', since: 'y' }, { timeoutMs: 1500 });
    expect(log.ok).toBe(false);
    expect(log.error).toMatch(/no answer within the timeout/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('an unknown host is an error naming it', async () => {
    const log = await readCommandLog(cfg, { argv: ['true'], host: 'nope' }, { issue: 'x', since: 'y' });
    expect(log).toMatchObject({ ok: false, error: 'job_log_command.host nope is not in hosts:' });
  });
});
