// Issue 13 point 3: several swarmctl processes (4 `probe --watch` plus one-shot
// probes, the built binary) record into one SQLite file while the services flap.
// Each transition must be computed from the state read inside the write
// transaction that records it, so the stored history of every service is a
// chain (each `from` is the previous `to`, nothing twice in a row) and the
// webhook receiver gets no transition twice and none the history lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runBin } from '../support/bin.js';
import { startTestServer, type TestServerHandle } from '../../src/testserver/llama-test-server.js';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof import('better-sqlite3');

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-probe-race-'));
const db = join(dir, 'state.db');
const cfgPath = join(dir, 'swarmctl.yaml');
const servers: TestServerHandle[] = [];
const received: Array<{ service: string; from: string | null; to: string; at: string }> = [];
let hook: Server;
let flapping = true;

// healthy → up, loading → loading, reset → down (debounced: degraded first).
const MODES = ['healthy', 'loading', 'reset'] as const;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const ev = JSON.parse(body) as { service: string; from: string | null; to: string; at: string };
      received.push({ service: ev.service, from: ev.from, to: ev.to, at: ev.at });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookPort = (hook.address() as { port: number }).port;
  for (let i = 0; i < 4; i++) servers.push(await startTestServer());
  const services: string[] = [];
  // Many services per server: every sweep then has many chances to race.
  for (let i = 0; i < 60; i++) services.push(`  svc-${i}: { kind: llama-server, url: "${servers[i % servers.length]!.url}" }`);
  writeFileSync(
    cfgPath,
    [
      'version: 1',
      'cluster_name: race',
      `paths: { shared_root: ${dir} }`,
      'thresholds: { probe_timeout_s: 1, probe_interval_s: 0.05, down_interval_s: 0.05, failure_threshold: 2, success_threshold: 2 }',
      `webhook: { url: "http://127.0.0.1:${hookPort}/hook", timeout_s: 10 }`,
      'services:',
      ...services,
    ].join('\n') + '\n',
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await new Promise((r) => hook.close(r));
});

function flap(): void {
  if (!flapping) return;
  for (const s of servers) s.setMode(MODES[Math.floor(Math.random() * MODES.length)]!);
  setTimeout(flap, 20 + Math.random() * 60);
}

describe('concurrent probe writers on one database', () => {
  it('record every service history as a valid chain, and each transition reaches the webhook once', async () => {
    // Create the schema once, so the writers race on probes, not on migrations.
    expect((await runBin(['--config', cfgPath, '--db', db, 'probe', '--json'])).stdout).toContain('"services"');
    flap();
    const watchers: ChildProcess[] = Array.from({ length: 4 }, () =>
      spawn(process.execPath, [BIN, '--config', cfgPath, '--db', db, 'probe', '--watch', '--json'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } }),
    );
    const until = Date.now() + 7000;
    const oneShots = async () => {
      while (Date.now() < until) await runBin(['--config', cfgPath, '--db', db, 'probe', '--json']);
    };
    await Promise.all([oneShots(), oneShots()]);
    // Settle: steady services; then wait (bounded) until every change recorded so far
    // has been POSTed, before the watchers are stopped (SIGTERM drops their queue).
    flapping = false;
    for (const s of servers) s.setMode('healthy');
    const changes = () => {
      const c = new Database(db, { readonly: true });
      try {
        return (c.prepare('SELECT COUNT(*) AS n FROM transitions WHERE from_status IS NOT NULL').get() as { n: number }).n;
      } finally {
        c.close();
      }
    };
    for (let seen = -1, stable = 0, t = Date.now(); Date.now() - t < 10_000 && stable < 3;) {
      await new Promise((r) => setTimeout(r, 500));
      const n = changes();
      stable = n === seen && received.length >= n ? stable + 1 : 0;
      seen = n;
    }
    for (const w of watchers) w.kill('SIGTERM');
    await Promise.all(watchers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));

    const conn = new Database(db, { readonly: true });
    const rows = conn.prepare('SELECT service, from_status AS "from", to_status AS "to", at FROM transitions ORDER BY id').all() as Array<{
      service: string;
      from: string | null;
      to: string;
      at: number;
    }>;
    conn.close();
    const bad: string[] = [];
    const last = new Map<string, string>();
    for (const r of rows) {
      const prev = last.get(r.service) ?? null;
      if (r.from !== prev || r.from === r.to) bad.push(`${r.service}: ${r.from}→${r.to} after →${prev}`);
      last.set(r.service, r.to);
    }
    expect(rows.length).toBeGreaterThan(60); // the flapping was seen, beyond the first states
    expect(bad).toEqual([]);
    // No change was POSTed twice, and nothing was POSTed that the history does not hold.
    const key = (t: { service: string; from: string | null; to: string; at: string }) => `${t.service} ${t.from}→${t.to} @${t.at}`;
    const recorded = new Set(rows.filter((r) => r.from !== null).map((r) => key({ ...r, at: new Date(r.at).toISOString() })));
    const sent = received.map(key);
    expect(sent.length - new Set(sent).size).toBe(0);
    expect(sent.filter((k) => !recorded.has(k))).toEqual([]);
    expect(sent.length).toBeGreaterThan(recorded.size / 2);
  }, 60_000);
});
