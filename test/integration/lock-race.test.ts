// Racing takers of the operator lock: swarmctl runs started at the same moment on
// several hosts (test hosts h1..h3: their own hostnames; one share) all try to take
// <shared>/ai/swarmctl/operator.lock. Exactly one wins; every other one is refused
// naming that one (user@host, pid), and nothing is left behind.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCluster, requireHosts, type TestHost } from '../support/cluster.js';
import { BIN } from '../support/bin.js';

requireCluster();
const th = requireHosts();

describe('the operator lock under racing takers', () => {
  it('six runs on three hosts at once: exactly one takes the lock, the five others are refused naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmctl-lock-race-'));
    const shared = join(dir, 'shared');
    mkdirSync(join(shared, 'archive'), { recursive: true });
    const config = join(dir, 'swarmctl.yaml');
    // never comes up: the winner keeps the lock while it verifies (20 s), long after every racer has tried
    writeFileSync(
      config,
      `version: 1\nservices:\n  never:\n    kind: http\n    health_url: http://127.0.0.1:1/health\n    start: [/bin/true]\n    verify_timeout_s: 20\npaths:\n  shared_root: ${shared}\n`,
    );
    const racers = [...th.hosts, ...th.hosts].map((h: TestHost, i) => {
      // on host h: its hostname (UTS namespace); each racer its own local state DB
      const c = spawn('nsenter', [`--uts=/run/swarmctl-hosts/${h.name}.uts`, '--', process.execPath, BIN, '--config', config, '--db', join(dir, `r${i}.db`), 'restart', '--yes', '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      const r = { host: h, pid: c.pid!, child: c, out: '', code: null as number | null, started: false };
      c.stdout.on('data', (b: Buffer) => {
        r.out += b.toString();
        if (r.out.includes('"event":"run_start"')) r.started = true;
      });
      c.on('close', (code) => (r.code = code));
      return r;
    });
    try {
      // every racer has either started its run or ended refused
      for (let i = 0; i < 600 && racers.some((r) => !r.started && r.code === null); i++) await new Promise((res) => setTimeout(res, 50));
      const winners = racers.filter((r) => r.started);
      expect(winners.length).toBe(1);
      const w = winners[0]!;
      expect(w.code).toBeNull(); // still verifying, still holding
      for (const r of racers.filter((x) => x !== w)) {
        expect(r.code).toBe(2);
        const lines = r.out.trim().split('\n');
        expect(lines.length).toBe(1);
        expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'run_done', status: 'refused', holder: { host: w.host.hostname, pid: w.pid, command: 'swarmctl restart' } });
      }
    } finally {
      for (const r of racers) r.child.kill('SIGKILL');
    }
    // no racer left a temp file or a moved-aside copy in the lock's folder
    expect(readdirSync(join(shared, 'ai', 'swarmctl')).filter((f) => f.startsWith('.operator.lock'))).toEqual([]);
  }, 90_000);
});
