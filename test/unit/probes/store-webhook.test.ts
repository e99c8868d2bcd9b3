// probeAll end to end with a real SQLite file: debounced states, transitions and
// results are stored, history prunes, the proxy key never lands in SQLite; and the
// transition webhook: signed, retried, bounded, and never slowing a sweep even when
// the receiver hangs.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../src/store/db.js';
import { probeAll } from '../../../src/probes/probe-all.js';
import { pruneProbeHistory, readResults, readTransitions } from '../../../src/store/probe-history.js';
import { sign, WebhookSender } from '../../../src/probes/webhook.js';
import { startTestServer, type TestServerHandle } from '../../../src/testserver/llama-test-server.js';
import type { ResolvedConfig } from '../../../src/config/resolve.js';
import type { ProbeResult, ProbeStatus } from '../../../src/core/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-probe-store-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function config(services: Record<string, Record<string, unknown>>, extra: Partial<ResolvedConfig> = {}): ResolvedConfig {
  const named = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, { name, write_check: false, depends_on: [], ...s }]));
  return {
    cluster_name: 'test',
    hosts: {},
    services: named,
    slurm: { command_timeout_s: 5 },
    thresholds: { probe_timeout_s: 1, probe_interval_s: 15, down_interval_s: 5, failure_threshold: 2, success_threshold: 2, probe_concurrency: 8, stale_worker_s: 1800, history_retention_days: 30 },
    ...extra,
  } as unknown as ResolvedConfig;
}
function store(): Store {
  const s = openStore(join(mkdtempSync(join(dir, 'db-')), 'state.db'));
  cleanups.push(() => s.close());
  return s;
}

describe('probeAll + history', () => {
  it('debounces across sweeps and records results and transitions', async () => {
    const cfg = config({ a: { kind: 'http' } });
    const st = store();
    const seq: ProbeStatus[] = ['up', 'down', 'down', 'up', 'up'];
    let t = 1_000_000;
    const seen: string[] = [];
    for (const s of seq) {
      const snap = await probeAll(cfg, st, { probe: async (): Promise<ProbeResult> => ({ status: s, reason: `raw ${s}`, latencyMs: 5 }), now: () => (t += 1000) });
      seen.push(snap.services[0]!.status);
    }
    expect(seen).toEqual(['up', 'degraded', 'down', 'down', 'up']);
    expect(readResults(st.db, 0).map((r) => r.status)).toEqual(seq);
    expect(readTransitions(st.db, 0).map((r) => `${r.from_status}->${r.to_status}`)).toEqual(['null->up', 'up->degraded', 'degraded->down', 'down->up']);
    expect(pruneProbeHistory(st, 1, t + 2 * 86_400_000)).toBe(9);
    expect(readResults(st.db, 0)).toEqual([]);
  });

  it('the proxy key is absent from every stored row', async () => {
    const KEY = 'stored-secret-abcdef0123456789';
    const keyPath = join(dir, 'proxy.key');
    writeFileSync(keyPath, KEY);
    chmodSync(keyPath, 0o600);
    const servers: TestServerHandle[] = await Promise.all([
      startTestServer({ kind: 'proxy', apiKey: KEY }),
      startTestServer({ kind: 'proxy', apiKey: 'other' }),
      startTestServer({ kind: 'proxy', apiKey: KEY, mode: 'quota' }),
    ]);
    cleanups.push(() => Promise.all(servers.map((s) => s.close())).then(() => undefined));
    const cfg = config(Object.fromEntries(servers.map((s, i) => [`p${i}`, { kind: 'openai-proxy', url: s.url, api_key_file: keyPath }])));
    const st = store();
    const snap = await probeAll(cfg, st);
    expect(snap.services.map((s) => s.status)).toEqual(['up', 'degraded', 'degraded']);
    const dump = JSON.stringify([st.db.prepare('SELECT * FROM probe_results').all(), st.db.prepare('SELECT * FROM probe_state').all(), st.db.prepare('SELECT * FROM transitions').all()]);
    expect(dump).toContain('quota, resets in');
    expect(dump).not.toContain(KEY);
    expect(readFileSync(st.path).includes(KEY)).toBe(false);
    expect(JSON.stringify(snap)).not.toContain(KEY);
  });
});

function receiver(handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, body, res));
    });
    server.listen(0, '127.0.0.1', () => {
      const a = server.address() as { port: number };
      cleanups.push(
        () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      );
      resolve({ url: `http://127.0.0.1:${a.port}/hook`, server });
    });
  });
}

describe('webhook', () => {
  const secretFile = join(dir, 'hook.secret');
  writeFileSync(secretFile, 'hook-secret\n');
  chmodSync(secretFile, 0o600);

  it('posts transitions signed with HMAC-SHA256, retrying a 500', async () => {
    const got: Array<{ sig: string | undefined; body: string }> = [];
    let calls = 0;
    const { url } = await receiver((req, body, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 500;
        res.end();
        return;
      }
      got.push({ sig: req.headers['x-swarmctl-signature'] as string | undefined, body });
      res.end('ok');
    });
    const hook = new WebhookSender({ url, secret_file: secretFile, timeout_s: 2, queue_max: 10 }, { retryBaseMs: 10 });
    const cfg = config({ a: { kind: 'http' } });
    const st = store();
    let s: ProbeStatus = 'up';
    const probe = async (): Promise<ProbeResult> => ({ status: s, reason: `raw ${s}`, latencyMs: 1 });
    await probeAll(cfg, st, { probe, webhook: hook });
    s = 'loading';
    await probeAll(cfg, st, { probe, webhook: hook });
    await hook.flush(3000);
    expect(calls).toBe(2);
    expect(got).toHaveLength(1);
    const ev = JSON.parse(got[0]!.body);
    expect(ev).toMatchObject({ event: 'transition', service: 'a', from: 'up', to: 'loading', reason: 'raw loading', cluster: 'test' });
    expect(got[0]!.sig).toBe(sign(got[0]!.body, 'hook-secret'));
    expect(hook.sent).toBe(1);
  });

  it('a hanging webhook never slows a sweep, and the queue stays bounded', async () => {
    const { url } = await receiver(() => {
      /* never answer */
    });
    const hook = new WebhookSender({ url, secret_file: secretFile, timeout_s: 5, queue_max: 3 });
    cleanups.push(() => hook.stop());
    const cfg = config(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, { kind: 'http' }])));
    const st = store();
    let s: ProbeStatus = 'up';
    const probe = async (): Promise<ProbeResult> => ({ status: s, reason: s, latencyMs: 1 });
    await probeAll(cfg, st, { probe, webhook: hook });
    s = 'loading';
    const t0 = performance.now();
    await probeAll(cfg, st, { probe, webhook: hook });
    expect(performance.now() - t0).toBeLessThan(500);
    // 10 transitions: one in flight, 3 queued, the rest dropped (oldest first)
    expect(hook.pending()).toBe(3);
    expect(hook.dropped).toBe(6);
  });

  it('never loses a transition silently: overflow, refusal, retries used up and give-up at exit each say which', async () => {
    const { url } = await receiver((_req, body, res) => {
      const ev = JSON.parse(body) as { service: string };
      if (ev.service.startsWith('hang')) return; // never answers
      res.statusCode = ev.service === 'refused' ? 403 : 503;
      res.end();
    });
    const warned: string[] = [];
    const hook = new WebhookSender({ url, timeout_s: 1, queue_max: 3 }, { retries: 1, retryBaseMs: 10, warn: (l) => warned.push(l) });
    const ev = (service: string) => ({ service, kind: 'http', from: 'up', to: 'down', reason: 'r', at: '2026-01-01T00:00:00.000Z' });
    // 'refused' goes in flight at once; the queue holds 3, so 'overflowed' (the oldest) is dropped.
    for (const s of ['refused', 'overflowed', 'retried', 'hang-a', 'hang-b']) hook.enqueue(ev(s));
    await hook.flush(500);
    const t0 = performance.now();
    await hook.close(300); // nothing accepted for 0.3 s: give up, not after every retry cycle
    expect(performance.now() - t0).toBeLessThan(1000);
    const lost = (svc: string) => warned.filter((w) => w.includes(`transition not delivered: ${svc} up→down at 2026-01-01T00:00:00.000Z`));
    expect(lost('overflowed')).toEqual([expect.stringMatching(/queue full \(queue_max 3\), oldest dropped/)]);
    expect(lost('refused')).toEqual([expect.stringMatching(/refused with HTTP 403/)]);
    expect(lost('retried')).toEqual([expect.stringMatching(/2 tries failed, last: HTTP 503/)]);
    expect(lost('hang-a')).toEqual([expect.stringMatching(/not delivered before exit .*delivery not confirmed/)]);
    expect(lost('hang-b')).toEqual([expect.stringMatching(/not delivered before exit/)]);
    expect(warned).toHaveLength(5);
    expect(warned.join('\n')).not.toContain(url); // the URL may hold a token
    hook.enqueue(ev('after-close'));
    expect(lost('after-close')).toEqual([expect.stringMatching(/sender already closed/)]);
  });
});
