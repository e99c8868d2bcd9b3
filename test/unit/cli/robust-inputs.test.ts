// Hostile files and configs through the built binary (issue 13, points 9-14, 17-19):
// every one must end in one line and a documented exit code, within a hard timeout
// (a FIFO regression hangs, and the timeout turns that into a failure).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../../support/batch-config.js';
import { parseConfigText } from '../../../src/config/parse.js';

let env: BatchTestEnv;
let G: string[];
const ENV = (e: BatchTestEnv) => ({ XDG_STATE_HOME: `${e.dir}/state`, XDG_CACHE_HOME: `${e.dir}/cache` });
const HARD = 30_000; // a hang fails the test instead of blocking the run
beforeEach(() => {
  env = makeBatchConfig({ timeoutS: 10 });
  G = ['--config', env.config, '--db', env.db];
});
afterEach(() => rmSync(env.dir, { recursive: true, force: true }));

const noCrash = (s: string) => expect(s).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
const run = (args: string[], opts: { input?: string } = {}) => runBin([...G, ...args], { env: ENV(env), timeoutMs: HARD, ...opts });

describe('config (points 9, 10, 17)', () => {
  it(
    'config show prints YAML through the bundled binary (9)',
    async () => {
      const r = await run(['config', 'show']);
      noCrash(r.stderr);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^cluster_name: batch-test$/m);
    },
    HARD,
  );

  it(
    'an alias bomb is one config error line, exit 64 (10)',
    async () => {
      const bomb = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
      for (let i = 1; i < 9; i++)
        bomb.push(
          `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(96 + i)}`)
            .join(',')}]`,
        );
      const file = join(env.dir, 'bomb.yaml');
      writeFileSync(file, `${bomb.join('\n')}\npaths:\n  shared_root: /tmp/x\n`);
      for (const args of [
        ['config', 'check', file],
        ['--config', file, 'queue'],
      ]) {
        const r = await runBin(args, { env: ENV(env), timeoutMs: HARD });
        noCrash(r.stderr);
        expect(r.code).toBe(64);
        expect(r.stderr).toMatch(/aliases expand too far/);
      }
    },
    HARD * 2,
  );

  it("a shared anchor merged into 500 services is accepted (maxAliasCount is not yaml's 100)", () => {
    const lines = ['x-defaults: &d', '  kind: slurm', 'paths:', '  shared_root: /tmp/x', 'services:'];
    for (let i = 0; i < 500; i++) lines.push(`  s${i}:`, '    <<: *d');
    const r = parseConfigText(lines.join('\n'), 'c.yaml', '/home/x');
    expect(r.ok ? [] : r.problems.map((p) => p.message).filter((m) => /alias/i.test(m))).toEqual([]);
  });

  it('a list where a mapping is expected says so (17)', () => {
    const r = parseConfigText('paths:\n  - shared_root\n', 'c.yaml', '/h');
    expect(r.ok).toBe(false);
    const msg = r.ok ? '' : r.problems.map((p) => p.message).join('\n');
    expect(msg).toContain('expected a mapping, got a list');
    expect(msg).not.toContain('got a mapping');
  });

  it('a duplicate key is still reported, at the key (uniqueKeys done in linear time, 19)', () => {
    const r = parseConfigText('paths:\n  shared_root: /a\n  shared_root: /b\n', 'c.yaml', '/h');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toContainEqual(expect.objectContaining({ line: 3, column: 3, message: 'YAML syntax: Map keys must be unique' }));
  });
});

describe('FIFOs, devices and huge files (points 13, 14)', () => {
  it(
    'a FIFO as the config, or /dev/zero, is refused at once (13)',
    async () => {
      const fifo = join(env.dir, 'cfg.yaml');
      execFileSync('mkfifo', [fifo]);
      for (const [path, kind] of [
        [fifo, 'a FIFO'],
        ['/dev/zero', 'a character device'],
      ] as const) {
        const r = await runBin(['--config', path, 'config', 'check'], { env: ENV(env), timeoutMs: HARD });
        noCrash(r.stderr);
        expect(r.code).toBe(64);
        expect(r.stderr).toContain(`config ${path} is ${kind}, not a regular file`);
      }
    },
    HARD * 2,
  );

  it(
    'a *.json FIFO in the endpoints dir is listed invalid; list and resolve end (13)',
    async () => {
      execFileSync('mkfifo', [join(env.endpoints, '4242-fast.json')]);
      const l = await run(['endpoints', 'list', '--json']);
      noCrash(l.stderr);
      const doc = JSON.parse(l.stdout) as { entries: { file: string; status: string; reason: string }[] };
      expect(doc.entries).toContainEqual(expect.objectContaining({ file: '4242-fast.json', status: 'invalid', reason: expect.stringContaining('is a FIFO, not a regular file') }));
      const r = await run(['endpoints', 'resolve', '--tier', 'fast']);
      noCrash(r.stderr);
      expect(r.code).toBe(2);
    },
    HARD * 2,
  );

  it(
    'a FIFO as the telemetry file or the resume file ends with one line (13)',
    async () => {
      const repo = join(env.dir, 'code', 'repo');
      mkdirSync(repo, { recursive: true });
      execFileSync('mkfifo', [join(repo, '.swarm-telemetry.jsonl')]);
      const t = await run(['telemetry', '-n', '5']);
      noCrash(t.stderr);
      expect(t.code).toBe(2);
      expect(t.stderr).toContain('is a FIFO, not a regular file');
      execFileSync('mkfifo', [join(repo, '.swarm-resume.json')]);
      const s = await run(['resume', 'show', 'beefcake-ab1', '--json']);
      noCrash(s.stderr);
      expect(JSON.parse(s.stdout)).toMatchObject({ status: 'unreadable', error: expect.stringContaining('is a FIFO') });
    },
    HARD * 2,
  );

  it(
    'a 1.5 GB discovery record is refused with its size and the limit, in bounded memory (14)',
    async () => {
      const big = join(env.endpoints, '4243-fast.json');
      const fd = openSync(big, 'w');
      writeSync(fd, '{"host":"127.0.0.1","port":1,');
      ftruncateSync(fd, 1.5 * 1024 ** 3); // sparse: no disk used
      closeSync(fd);
      const r = await runBin([...G, 'endpoints', 'list', '--json'], { env: { ...ENV(env), NODE_OPTIONS: '--max-old-space-size=96' }, timeoutMs: HARD });
      noCrash(r.stderr);
      const doc = JSON.parse(r.stdout) as { entries: { file: string; reason: string }[] };
      expect(doc.entries.find((e) => e.file === '4243-fast.json')?.reason).toMatch(/discovery record .*4243-fast\.json is 1\.5 GiB, over the 1 MiB limit/);
    },
    HARD,
  );

  it('a telemetry file with a 300 MB NUL tail and no newline: the last lines, the tail skipped, bounded memory (14)', async () => {
    const repo = join(env.dir, 'code', 'repo');
    mkdirSync(repo, { recursive: true });
    const file = join(repo, '.swarm-telemetry.jsonl');
    const fd = openSync(file, 'w');
    writeSync(fd, `{"issue_id":"beefcake-ab1","phase":"x","iteration":1,"outcome":"ok","timestamp":"2026-01-01T00:00:00Z"}\n`);
    ftruncateSync(fd, 300 * 1024 ** 2 + 200);
    closeSync(fd);
    // 300 MB held whole does not fit in a 128 MB heap.
    const r = await runBin([...G, 'telemetry', '-n', '5', '--json'], { env: { ...ENV(env), NODE_OPTIONS: '--max-old-space-size=128' }, timeoutMs: 60_000 });
    noCrash(r.stderr);
    const doc = JSON.parse(r.stdout) as { records: unknown[]; partial_last_line_bytes: number };
    expect(doc.records).toHaveLength(1);
    expect(doc.partial_last_line_bytes).toBeGreaterThan(300 * 1024 ** 2);
  }, 60_000);
});

describe('resume depth, endpoints dir, partial writes (points 11, 12, 18)', () => {
  it(
    'a resume file nested 100,000 deep is corrupt, not a stack overflow (12)',
    async () => {
      const repo = join(env.dir, 'code', 'repo');
      mkdirSync(repo, { recursive: true });
      writeFileSync(join(repo, '.swarm-resume.json'), `{"issue":{"id":"beefcake-ab1"},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      const r = await run(['resume', 'show', 'beefcake-ab1', '--json']);
      noCrash(r.stderr);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'corrupt', error: expect.stringContaining('nested more than 64 levels') });
    },
    HARD,
  );

  it(
    'discovery write creates a missing endpoints dir, and refuses when its parent is missing too (11)',
    async () => {
      rmSync(env.endpoints, { recursive: true });
      const r = await run(['discovery', 'write', '--tier', 'fast', '--port', '1', '--model', 'm', '--job-id', '77', '--wait-s', '0', '--json']);
      noCrash(r.stderr);
      expect(r.code).toBe(2); // nothing answers on port 1: not written, but no ENOENT
      expect(JSON.parse(r.stdout).error).toMatch(/not healthy/);
      expect(existsSync(env.endpoints)).toBe(true);
      const cfg2 = join(env.dir, 'nomount.yaml');
      writeFileSync(cfg2, `paths:\n  shared_root: ${env.dir}/not-mounted\n  endpoints_dir: ${env.dir}/not-mounted/ai/endpoints\n`);
      const r2 = await runBin(['--config', cfg2, '--db', env.db, 'discovery', 'write', '--tier', 'fast', '--port', '1', '--model', 'm', '--job-id', '77', '--wait-s', '0'], {
        env: ENV(env),
        timeoutMs: HARD,
      });
      noCrash(r2.stderr);
      expect(r2.code).toBe(2);
      expect(`${r2.stdout}${r2.stderr}`).toMatch(/does not exist and neither does its parent .*is the share mounted/);
    },
    HARD * 2,
  );

  it(
    'endpoints gc deletes partial writes over a minute old (dry run lists them), audited (18)',
    async () => {
      const old = join(env.endpoints, '.4244-fast.json.tmp-12345-deadbeef');
      const fresh = join(env.endpoints, '.4245-fast.json.tmp-12346-cafebabe');
      writeFileSync(old, '{"host":');
      writeFileSync(fresh, '{"host":');
      utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      const d = await run(['endpoints', 'gc', '--dry-run', '--json']);
      noCrash(d.stderr);
      expect(JSON.parse(d.stdout).tmpWouldRemove).toEqual([old]);
      expect(existsSync(old)).toBe(true);
      const g = await run(['endpoints', 'gc', '--json']);
      noCrash(g.stderr);
      expect(JSON.parse(g.stdout).tmpRemoved).toEqual([old]);
      expect(readdirSync(env.endpoints)).toEqual(['.4245-fast.json.tmp-12346-cafebabe']);
      const a = await run(['audit', '--json']);
      expect(a.stdout).toContain('endpoints:gc-tmp');
    },
    HARD * 3,
  );
});

describe('config check cost (19)', () => {
  const text = (n: number) => {
    const l = ['hosts:', '  h1:', '    address: 127.0.0.1', 'paths:', '  shared_root: /tmp/b', 'services:'];
    for (let i = 0; i < n; i++) l.push(`  s${i}:`, '    kind: http', '    host: h1', `    url: http://127.0.0.1:${1000 + (i % 60000)}/`);
    return l.join('\n');
  };
  const cpu = (n: number) => {
    const t = text(n);
    const c0 = process.cpuUsage();
    const r = parseConfigText(t, 'c.yaml', '/h');
    const c = process.cpuUsage(c0);
    expect(r.ok).toBe(true);
    return c.user + c.system;
  };
  it('grows about linearly: 8x the services costs well under 64x (yaml uniqueKeys was quadratic)', () => {
    cpu(2000); // warm up
    const small = Math.min(cpu(4000), cpu(4000));
    const large = cpu(32000);
    // Linear is 8 (measured 7.1); the quadratic key check measured 26.6.
    expect(large / small).toBeLessThan(14);
  }, 180_000);
});
