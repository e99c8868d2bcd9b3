// `endpoints gc` moves stale discovery records to the archive. A record that is a
// symlink leading out of endpoints_dir, or an archive folder that does, must be refused
// (nothing moved, the reason given and audited), as resume clear and worktree cleanup
// refuse. An outward record is not even read: `resolve` must never hand a job a URL
// from a file placed outside the share. Real temp dirs and real symlinks; a fake `squeue` first on PATH answers with
// an empty queue, so every record's job is gone and the record stale.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcEndpoints, listEndpoints, resolveTier } from '../../../src/discovery/discovery.js';
import { listAudit } from '../../../src/store/audit.js';
import { openStore } from '../../../src/store/db.js';
import { runBin } from '../../support/bin.js';
import { makeShare } from '../../support/recovery-fixtures.js';

const recordOf = (jobId: string, tier = 'fast'): string => `${JSON.stringify({ job_id: jobId, host: '127.0.0.1', port: 9, model: 'm', tier, started_at: '2026-01-01T00:00:00Z' })}\n`;
const listTree = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

let fakeBin: string;
const savedPath = process.env['PATH'];

beforeAll(() => {
  fakeBin = mkdtempSync(join(tmpdir(), 'swarmctl-fake-squeue-'));
  writeFileSync(join(fakeBin, 'squeue'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(fakeBin, 'squeue'), 0o755);
  // readQueue spawns squeue through PATH; this worker process only.
  process.env['PATH'] = `${fakeBin}:${savedPath ?? ''}`;
});

afterAll(() => {
  process.env['PATH'] = savedPath;
});

describe('gcEndpoints refuses discovery symlinks that lead out (in process)', () => {
  it('a stale record that links to a file outside endpoints_dir is refused and stays; a plain stale record beside it is still moved', async () => {
    const { root, cfg } = makeShare();
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-disc-out-'));
    const target = join(outside, 'victim.json');
    writeFileSync(target, recordOf('900101'));
    const link = join(cfg.paths.endpoints_dir, '900101-fast.json');
    symlinkSync(target, link);
    writeFileSync(join(cfg.paths.endpoints_dir, '900102-fast.json'), recordOf('900102'));
    const store = openStore(join(root, 'db.sqlite'));
    try {
      const r = await gcEndpoints(cfg, store);
      expect(r.ok).toBe(false);
      expect(r.error).toBe(`refused: ${link} resolves through a symlink to ${target}, outside ${cfg.paths.endpoints_dir}; not read, left in place`);
      expect(r.moved.map((m) => m.from)).toEqual([join(cfg.paths.endpoints_dir, '900102-fast.json')]);
      // The link and what it points to are untouched; only the plain record reached the archive.
      expect(readlinkSync(link)).toBe(target);
      expect(readFileSync(target, 'utf8')).toBe(recordOf('900101'));
      expect(listTree(outside)).toEqual(['victim.json']);
      expect(listTree(join(cfg.paths.archive_dir, 'endpoints')).map((f) => f.replace(/^.*-(\d+-fast\.json)$/, '$1'))).toEqual(['900102-fast.json']);
      const audit = listAudit(store).filter((a) => a.action === 'endpoints:gc');
      const refused = audit.find((a) => a.outcome === 'failed');
      expect(refused?.detail).toMatch(/^refused: .*900101-fast\.json resolves through a symlink to .*victim\.json, outside .*; not read, left in place$/);
      expect(refused?.archived).toBeNull();
      expect(audit.filter((a) => a.outcome === 'ok')).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('the outward record is never read: listed invalid with the reason, named by gc --dry-run, not a candidate for resolve', async () => {
    const { root, cfg } = makeShare();
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-disc-out-'));
    const target = join(outside, 'planted.json');
    writeFileSync(target, recordOf('900151'));
    const link = join(cfg.paths.endpoints_dir, '900151-fast.json');
    symlinkSync(target, link);
    const store = openStore(join(root, 'db.sqlite'));
    try {
      const l = await listEndpoints(cfg, store);
      expect(l.entries).toEqual([{ file: '900151-fast.json', status: 'invalid', reason: `refused: ${link} resolves through a symlink to ${target}, outside ${cfg.paths.endpoints_dir}; not read` }]);
      const dry = await gcEndpoints(cfg, store, { dryRun: true });
      expect(dry).toMatchObject({ ok: false, wouldMove: [], moved: [] });
      expect(dry.error).toMatch(/; not read, left in place$/);
      expect((await resolveTier(cfg, store, 'fast')).candidates).toBe(0);
    } finally {
      store.close();
    }
  });

  it('the archive folder for records (<archive>/endpoints) is a symlink leading out → refused, the record stays, nothing written outside', async () => {
    const { root, cfg } = makeShare();
    const outside = mkdtempSync(join(tmpdir(), 'swarmctl-disc-out-'));
    symlinkSync(outside, join(cfg.paths.archive_dir, 'endpoints'));
    const rec = join(cfg.paths.endpoints_dir, '900201-reasoning.json');
    writeFileSync(rec, recordOf('900201', 'reasoning'));
    const store = openStore(join(root, 'db.sqlite'));
    try {
      const r = await gcEndpoints(cfg, store);
      expect(r.ok).toBe(false);
      expect(r.moved).toEqual([]);
      expect(r.error).toMatch(
        new RegExp(`^refused: ${cfg.paths.archive_dir}/endpoints/\\S+-900201-reasoning\\.json resolves through a symlink to ${outside}/\\S+, outside ${cfg.paths.archive_dir}; nothing moved$`),
      );
      expect(readFileSync(rec, 'utf8')).toBe(recordOf('900201', 'reasoning'));
      expect(listTree(outside)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a record that links to a file inside endpoints_dir is moved as before (the link itself is archived)', async () => {
    const { root, cfg } = makeShare();
    mkdirSync(join(cfg.paths.endpoints_dir, 'real'));
    const target = join(cfg.paths.endpoints_dir, 'real', 'r.json');
    writeFileSync(target, recordOf('900301'));
    const link = join(cfg.paths.endpoints_dir, '900301-fast.json');
    symlinkSync(target, link);
    const store = openStore(join(root, 'db.sqlite'));
    try {
      const r = await gcEndpoints(cfg, store);
      expect(r).toMatchObject({ ok: true });
      expect(r.moved).toHaveLength(1);
      const to = r.moved[0]!.to;
      expect(lstatSync(to).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe(recordOf('900301'));
      expect(() => lstatSync(link)).toThrow();
    } finally {
      store.close();
    }
  });
});

describe('swarmctl endpoints gc refuses an outward symlink (real binary)', () => {
  it('exit 2, the reason in --json `error`, the link left in place', async () => {
    const top = mkdtempSync(join(tmpdir(), 'swarmctl-disc-bin-'));
    const root = join(top, 'share');
    const outside = join(top, 'outside');
    for (const d of ['ai/endpoints', 'ai/archive']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(outside);
    const config = join(top, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${root}\n`);
    const target = join(outside, 'victim.json');
    writeFileSync(target, recordOf('900401'));
    const link = join(root, 'ai/endpoints/900401-fast.json');
    symlinkSync(target, link);

    const r = await runBin(['--config', config, '--db', join(top, 'state.db'), 'endpoints', 'gc', '--json'], { env: { PATH: `${fakeBin}:${savedPath ?? ''}` } });
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; moved: unknown[]; error: string; exit_code: number };
    expect(doc).toMatchObject({ ok: false, moved: [], exit_code: 2 });
    expect(doc.error).toBe(`refused: ${link} resolves through a symlink to ${target}, outside ${join(root, 'ai/endpoints')}; not read, left in place`);
    expect(r.stderr).toContain('error: refused: ');
    expect(readlinkSync(link)).toBe(target);
    expect(listTree(join(root, 'ai/archive'))).toEqual([]);
  });
});
