// Issue 13 point 3: several swarmctl processes (4 `probe --watch` plus one-shot
// probes, the built binary) record into one SQLite file while the services flap.
// Each transition must be computed from the state read inside the write
// transaction that records it, so the stored history of every service is a
// chain (each `from` is the previous `to`, nothing twice in a row), and the
// webhook receiver gets every recorded transition exactly once: the watchers are
// stopped with SIGTERM while their queues still hold transitions (the receiver
// answers after a realistic delay), and must POST them before they exit.
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
const RECEIVER_DELAY_MS = 25;

// healthy → up, loading → loading, reset → down (debounced: degraded first).
const MODES = ['healthy', 'loading', 'reset'] as const;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const ev = JSON.parse(body) as { service: string; from: string | null; to: string; at: string };
      received.push({ service: ev.service, from: ev.from, to: ev.to, at: ev.at });
      // A real receiver (a chat service, a pager) takes a while: queues build up.
      setTimeout(() => res.writeHead(204).end(), RECEIVER_DELAY_MS);
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
      // Every transition must arrive: a queue that never fills (how many a flapping 7 s makes depends on the host's speed).
      `webhook: { url: "http://127.0.0.1:${hookPort}/hook", timeout_s: 10, queue_max: 1000000 }`,
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
    const stderr: string[] = [];
    const watchers: ChildProcess[] = Array.from({ length: 4 }, () => {
      const w = spawn(process.execPath, [BIN, '--config', cfgPath, '--db', db, 'probe', '--watch', '--json'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      w.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
      return w;
    });
    const until = Date.now() + 7000;
    const oneShots = async () => {
      while (Date.now() < until) stderr.push((await runBin(['--config', cfgPath, '--db', db, 'probe', '--json'])).stderr);
    };
    await Promise.all([oneShots(), oneShots()]);
    flapping = false;
    for (const s of servers) s.setMode('healthy');
    // Stop the watchers at once, queues not drained: each must POST what it
    // recorded before it exits (generous bound for a loaded CI host).
    const exits = watchers.map((w) => new Promise<number | null>((r) => (w.exitCode !== null ? r(w.exitCode) : w.once('exit', (c) => r(c)))));
    for (const w of watchers) w.kill('SIGTERM');
    const codes = await Promise.race([Promise.all(exits), new Promise<null>((r) => setTimeout(() => r(null), 150_000))]);
    expect(codes).toEqual([143, 143, 143, 143]);
    expect(stderr.join('')).not.toContain('not delivered');

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
    // Every recorded change was POSTed exactly once, and nothing the history does not hold.
    const key = (t: { service: string; from: string | null; to: string; at: string }) => `${t.service} ${t.from}→${t.to} @${t.at}`;
    const recorded = new Set(rows.filter((r) => r.from !== null).map((r) => key({ ...r, at: new Date(r.at).toISOString() })));
    const sent = received.map(key);
    expect(sent.length - new Set(sent).size).toBe(0);
    expect(sent.filter((k) => !recorded.has(k))).toEqual([]);
    const got = new Set(sent);
    expect([...recorded].filter((k) => !got.has(k))).toEqual([]);
  }, 240_000);
});
