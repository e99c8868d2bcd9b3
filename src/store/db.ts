// Opens the one SQLite file swarmctl keeps its history in. Several swarmctl
// processes (a console, cron probes, job wrappers) write at once, so:
//   - WAL, so readers never block the writer;
//   - busy_timeout, so a writer waits for the lock instead of failing;
//   - every write transaction is IMMEDIATE: a deferred transaction that reads
//     and then writes can hit SQLITE_BUSY without the busy handler ever being
//     called (the lock-upgrade deadlock), which busy_timeout cannot fix.
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdirs } from '../core/mkdirs.js';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

// Loaded with require, not import: better-sqlite3 is CommonJS, and importing it
// makes Node scan its sources for export names (cjs-module-lexer) on every start.
const cjsRequire = createRequire(import.meta.url);
const Database = cjsRequire('better-sqlite3') as typeof BetterSqlite3;

export type Db = BetterSqlite3.Database;

export interface Store {
  db: Db;
  path: string;
  /** Runs fn in a BEGIN IMMEDIATE transaction (the write lock up front). */
  write<T>(fn: (db: Db) => T): T;
  close(): void;
}

export const BUSY_TIMEOUT_MS = 15_000;

/** SQLite's data_version: it changes when ANOTHER connection (a CLI run) commits, so a reader can skip a read when nothing is new. */
export function dataVersion(store: Store): number {
  return store.db.pragma('data_version', { simple: true }) as number;
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const state = env['XDG_STATE_HOME'] || join(home, '.local', 'state');
  return join(state, 'swarmctl', 'swarmctl.db');
}

/**
 * The addon's path, so better-sqlite3 need not search for it: its `bindings`
 * helper stats a dozen candidate paths on every process start. Falls
 * back to that search when the build is somewhere else.
 */
let nativeBinding: string | null | undefined;
function addonPath(): string | undefined {
  if (nativeBinding === undefined) {
    try {
      const p = join(dirname(cjsRequire.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
      nativeBinding = existsSync(p) ? p : null;
    } catch {
      nativeBinding = null;
    }
  }
  return nativeBinding ?? undefined;
}

export function openStore(path: string): Store {
  if (path !== ':memory:') mkdirs(dirname(path), 0o700);
  const binding = addonPath();
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, ...(binding ? { nativeBinding: binding } : {}) });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return {
    db,
    path,
    write: <T>(fn: (d: Db) => T): T => db.transaction(() => fn(db)).immediate(),
    close: () => db.close(),
  };
}

/** Takes the write lock and releases it: throws when the database cannot be written. */
export function checkWritable(store: Store): void {
  store.write((db) => db.prepare('SELECT 1').get());
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (schemaVersion(db) >= latest) return;
  db.transaction(() => {
    // Re-read inside the lock: another process may have migrated meanwhile.
    const current = schemaVersion(db);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
  }).immediate();
}
