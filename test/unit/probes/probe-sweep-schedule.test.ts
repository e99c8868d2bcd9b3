// Issue 13 point 15: a sweep is about one timeout for any order of services.
// HTTP probes are not held back by probe_concurrency (only child-process probes
// are), so every HTTP probe starts before any probe finishes, wherever the hung
// ones sit in the config. The probes here are fakes (pure scheduling logic);
// the store is a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../../src/config/parse.js';
import { openStore, type Store } from '../../../src/store/db.js';
import { probeAll } from '../../../src/probes/probe-all.js';
import type { NamedService } from '../../../src/config/resolve.js';
import type { ProbeResult } from '../../../src/core/probe.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { cfg: Parameters<typeof probeAll>[0]; store: Store } {
  const dir = mkdtempSync(join(tmpdir(), 'swarmctl-sched-'));
  dirs.push(dir);
  const lines = ['version: 1', `paths: { shared_root: ${dir} }`, 'hosts: { h: { address: 127.0.0.1 } }', 'thresholds: { probe_timeout_s: 2, probe_concurrency: 4 }', 'services:'];
  // Shuffled-looking order: the services a real sweep would find hung sit at the end.
  for (let i = 0; i < 200; i++) lines.push(`  web-${i}: { kind: ${i % 3 === 0 ? 'http' : 'llama-server'}, url: "http://127.0.0.1:${20000 + i}" }`);
  for (let i = 0; i < 12; i++) lines.push(`  ssh-${i}: { kind: ssh, host: h }`);
  const parsed = parseConfigText(lines.join('\n') + '\n', join(dir, 'swarmctl.yaml'), dir);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { cfg: parsed.config, store: openStore(join(dir, 'state.db')) };
}

describe('probe sweep scheduling', () => {
  it('starts every HTTP probe before any probe finishes; child-process probes stay within probe_concurrency', async () => {
    const { cfg, store } = setup();
    const log: string[] = [];
    let childInFlight = 0;
    let childPeak = 0;
    const probe = async (svc: NamedService): Promise<ProbeResult> => {
      const child = svc.kind === 'ssh';
      log.push(`start ${svc.name}`);
      if (child) childPeak = Math.max(childPeak, ++childInFlight);
      await new Promise((r) => setTimeout(r, 5));
      if (child) childInFlight--;
      log.push(`end ${svc.name}`);
      return { status: 'up', reason: 'ok', latencyMs: 5 };
    };
    try {
      const snap = await probeAll(cfg, store, { probe });
      expect(snap.services).toHaveLength(212);
      const firstEnd = log.findIndex((l) => l.startsWith('end '));
      const lateWebStarts = log.slice(firstEnd).filter((l) => l.startsWith('start web-'));
      expect(lateWebStarts).toEqual([]);
      expect(childPeak).toBe(4);
    } finally {
      store.close();
    }
  });
});
