import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { openStore, schemaVersion } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { listAudit, recordAudit } from '../../../src/store/audit.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'swarmctl-store-'));

describe('store', () => {
  it('creates a WAL database at the latest schema version, idempotently', () => {
    const path = join(tmp(), 'nested', 'swarmctl.db');
    const s = openStore(path);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(s.db.pragma('busy_timeout', { simple: true }))).toBeGreaterThanOrEqual(5000);
    expect(schemaVersion(s.db)).toBe(MIGRATIONS.at(-1)!.version);
    s.close();
    const again = openStore(path);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual({ n: MIGRATIONS.length });
    const tables = again.db
      .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    for (const t of ['probe_results', 'transitions', 'jobs', 'audit', 'squeue_cache', 'queue_cache', 'restart_runs', 'restart_steps', 'telemetry_offsets', 'locks']) expect(tables).toContain(t);
    again.close();
  });

  it('records and lists audit rows', () => {
    const s = openStore(join(tmp(), 'a.db'));
    recordAudit(s, { issueId: 'beefcake-1', action: 'resume.clear', argv: ['mv', 'a', 'b'], archived: { to: '/x' }, outcome: 'ok' }, 1000);
    recordAudit(s, { issueId: 'beefcake-2', action: 'submit', outcome: 'failed', detail: 'boom' }, 2000);
    const rows = listAudit(s, { issueId: 'beefcake-1' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'resume.clear', argv: ['mv', 'a', 'b'], archived: { to: '/x' }, outcome: 'ok' });
    expect(rows[0]!.actor).toMatch(/.+@.+/);
    s.close();
  });

  it('four processes writing at once never fail with SQLITE_BUSY', async () => {
    const path = join(tmp(), 'busy.db');
    openStore(path).close();
    const worker = new URL('../../support/store-writer.mjs', import.meta.url).pathname;
    const runs = Array.from(
      { length: 4 },
      (_, i) =>
        new Promise<{ code: number | null; err: string }>((resolve) => {
          const p = spawn(process.execPath, [worker, path, String(i), '400'], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (d) => (err += d));
          p.on('close', (code) => resolve({ code, err }));
        }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect(r).toEqual({ code: 0, err: '' });
    const s = openStore(path);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 1600 });
    expect(s.db.prepare('SELECT COUNT(DISTINCT detail) AS n FROM audit').get()).toEqual({ n: 4 });
    s.close();
  }, 60_000);

  it('upgrades a version-2 database: adds squeue_cache and keeps the queue_cache row an older version wrote', () => {
    const path = join(tmp(), 'v2.db');
    const old = new Database(path);
    old.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(m.version, m.name, 1);
    }
    old.prepare('INSERT INTO queue_cache (source, taken_at, jobs_json) VALUES (?, ?, ?)').run('slurm', 42, '[]');
    old.close();
    const s = openStore(path);
    expect(schemaVersion(s.db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(s.db.prepare('SELECT source, taken_at, jobs_json FROM queue_cache').all()).toEqual([{ source: 'slurm', taken_at: 42, jobs_json: '[]' }]);
    expect(s.db.prepare('SELECT COUNT(*) AS n FROM squeue_cache').get()).toEqual({ n: 0 });
    s.close();
  });
});
