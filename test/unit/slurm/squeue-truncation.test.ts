// Issue 13, point 4: squeue output over the runner's cap is a PARTIAL read, never
// `known` (queue exits 2, gc moves nothing), and a stderr flood is kept as a small tail
// with bounded memory. The built binary, with a stand-in squeue first on PATH that
// prints valid squeue lines (or floods stderr as a broken client would).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocal, STDERR_TAIL_BYTES } from '../../../src/io/run.js';
import { BIN, runBin } from '../../support/bin.js';

// squeue runs with a clean environment, so the amount comes from a file beside it.
const FAKE_SQUEUE = `#!/usr/bin/env python3
import os, sys
words = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "flood")).read().split()
n = int(words[0])
if "stderr" in words:
    line = b"squeue: error: slurm_load_jobs error: Unable to contact slurm controller (connect failure)\\n"
    for _ in range(n // len(line)): os.write(2, line)
    sys.exit(1)
out = sys.stdout.buffer
i = 0; done = 0
while done < n:
    l = ("%d\\x1fswarm-x%d\\x1fRUNNING\\x1fNone\\x1f0:03\\x1f2:00:00\\x1fvm\\x1f2026-11-23T10:38:17+0000\\x1f2026-11-23T10:38:17+0000\\x1froot\\x1fdebug\\x1f/tmp\\x1f(null)\\x1f/tmp/o.log\\x1f\\n" % (1000000 + i, i)).encode()
    out.write(l); done += len(l); i += 1
`;

function setup(): { dir: string; cfg: string; db: string; bin: string; endpoints: string } {
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-trunc-'));
  const bin = join(dir, 'fakebin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'squeue'), FAKE_SQUEUE);
  chmodSync(join(bin, 'squeue'), 0o755);
  const endpoints = join(dir, 'ai/endpoints');
  mkdirSync(endpoints, { recursive: true });
  const cfg = join(dir, 'swarmctl.yaml');
  writeFileSync(cfg, `version: 1\npaths:\n  shared_root: ${dir}\nslurm:\n  command_timeout_s: 30\n`);
  return { dir, cfg, db: join(dir, 'db.sqlite'), bin, endpoints };
}

/** PATH with the stand-in first; `flood` = what it prints ("BYTES" or "BYTES stderr"). */
function envFor(bin: string, flood: string, extra: Record<string, string> = {}): Record<string, string> {
  writeFileSync(join(bin, 'flood'), flood);
  return { PATH: `${bin}:${process.env['PATH']}`, ...extra };
}

/** Runs the binary and samples its VmHWM (peak RSS) until it exits. */
function runMeasured(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; peakKb: number }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    let peakKb = 0;
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const t = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 10);
    c.on('close', (code) => {
      clearInterval(t);
      resolve({ code: code ?? -1, stdout, peakKb });
    });
  });
}

describe('squeue output over the cap (real binary, stand-in squeue)', () => {
  it('queue: partial read is state unknown, partial: true, exit 2 (cap lowered with SWARMCTL_STDOUT_CAP)', async () => {
    const s = setup();
    const r = await runBin(['--config', s.cfg, '--db', s.db, 'queue', '--json', '--all'], { env: envFor(s.bin, '1000000', { SWARMCTL_STDOUT_CAP: '200000' }) });
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(r.code, r.stderr).toBe(2);
    expect(doc).toMatchObject({ ok: false, state: 'unknown', partial: true });
    expect(String(doc['error'])).toMatch(/output over the 200000-byte cap, only part of it was read/);
  });

  it('queue at the real 16 MiB cap: 17.5 MB of squeue output is partial, exit 2', async () => {
    const s = setup();
    const r = await runBin(['--config', s.cfg, '--db', s.db, 'queue', '--json'], { env: envFor(s.bin, '17500000') });
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'unknown', partial: true });
    expect(r.stderr).toMatch(/16 MiB cap/);
  }, 30_000);

  it('endpoints gc moves nothing when the queue read was partial (exit 2)', async () => {
    const s = setup();
    const rec = join(s.endpoints, '999-fast.json');
    writeFileSync(rec, JSON.stringify({ job_id: '999', host: '127.0.0.1', port: 9, model: 'm', tier: 'fast' }));
    const r = await runBin(['--config', s.cfg, '--db', s.db, 'endpoints', 'gc', '--json'], { env: envFor(s.bin, '1000000', { SWARMCTL_STDOUT_CAP: '200000' }) });
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; moved: unknown[]; error: string };
    expect(doc).toMatchObject({ ok: false, moved: [] });
    expect(doc.error).toMatch(/queue unknown.*only part of it was read/);
    expect(existsSync(rec)).toBe(true);
  });

  it('20 MB on stderr in small writes: a small tail is kept, peak RSS stays bounded', async () => {
    const s = setup();
    const r = await runMeasured(['--config', s.cfg, '--db', s.db, 'diagnose', 'beefcake-x1', '--json'], envFor(s.bin, '20000000 stderr'));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Unable to contact slurm controller/);
    // Before: the whole 16 MiB of stderr was carried into the JSON (16.9 MB) and peaked at 169 MB.
    expect(r.stdout.length).toBeLessThan(4 * STDERR_TAIL_BYTES);
    expect(r.peakKb).toBeGreaterThan(0);
    expect(r.peakKb).toBeLessThan(140 * 1024);
  }, 30_000);
});

describe('runLocal caps (real child processes)', () => {
  it('stdout past maxBuffer is flagged truncated and not ok', async () => {
    const r = await runLocal({ argv: ['head', '-c', '100000', '/dev/zero'], timeoutMs: 5000, maxBuffer: 1000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.stdout.length).toBe(1000);
  });

  it('stderr keeps its last STDERR_TAIL_BYTES, ending with the last line written', async () => {
    const r = await runLocal({ argv: ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" >&2; i=$((i+1)); done; echo LAST >&2'], timeoutMs: 10_000 });
    expect(r.ok).toBe(true);
    expect(r.stderrTruncated).toBe(true);
    expect(r.stderr.length).toBeLessThanOrEqual(STDERR_TAIL_BYTES);
    expect(r.stderr.length).toBeGreaterThan(STDERR_TAIL_BYTES / 2);
    expect(r.stderr.endsWith('LAST\n')).toBe(true);
  });
});
