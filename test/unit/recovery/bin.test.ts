// The recovery commands as an operator runs them: the real bin/swarmctl process, temp
// dirs, nothing but local files (no SLURM, no network).
//   - `cloud-key set --stdin`: atomic replace, mode 0600, previous key kept, the key never
//     on stdout/stderr, in the audit or any JSON; empty / multi-line / terminal input refused.
//   - `telemetry --follow`: complete lines only, a truncation notice, a clean exit on SIGINT.
//   - `audit --issue X --json` after `resume clear X`: who, when, what, archived where.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../../src/store/audit.js';
import { BIN, runBin } from '../../support/bin.js';
import { REPO_ROOT } from '../../support/cluster.js';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `swarmctl-${prefix}-`));
}

/** Every file under `dir` except `skip` does not contain `secret` (SQLite, WAL, backups' names...). */
function expectNotOnDisk(dir: string, secret: string, skip: (p: string) => boolean): void {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    if (!e.isFile() || skip(p)) continue;
    expect(readFileSync(p).includes(secret), `${p} holds the key`).toBe(false);
  }
}

describe('cloud-key set --stdin (real binary)', () => {
  const OLD_KEY = `sk-old-${process.pid}-aaaaaaaaaaaa`;
  const NEW_KEY = `sk-new-${process.pid}-Zq9vT3kP0wLm`;

  function setup(): { dir: string; keys: string; keyFile: string; config: string; db: string } {
    const dir = tempDir('cloudkey');
    const keys = join(dir, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    const keyFile = join(keys, 'cloud.key');
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\nservices:\n  cloud:\n    kind: openai-proxy\n    url: http://127.0.0.1:9\n    api_key_file: ${keyFile}\n`);
    return { dir, keys, keyFile, config, db: join(dir, 'state.db') };
  }

  it('replaces the key file atomically with mode 0600, keeps the previous key, never shows the key', async () => {
    const s = setup();
    writeFileSync(s.keyFile, `${OLD_KEY}\n`, { mode: 0o644 });
    const inodeBefore = statSync(s.keyFile).ino;

    // A reader polling the file while the binary replaces it sees the old key or the new
    // one, never an empty or half-written file.
    const seen = new Set<string>();
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        seen.add(readFileSync(s.keyFile, 'utf8'));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const r = await runBin(['--config', s.config, '--db', s.db, 'cloud-key', 'set', '--stdin'], { input: `  ${NEW_KEY}  \n` });
    stop = true;
    await reader;
    expect(r.code, r.stderr).toBe(0);
    for (const v of seen) expect([`${OLD_KEY}\n`, `${NEW_KEY}\n`]).toContain(v);
    expect(seen.has(`${OLD_KEY}\n`)).toBe(true);

    expect(readFileSync(s.keyFile, 'utf8')).toBe(`${NEW_KEY}\n`);
    const st = statSync(s.keyFile);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.ino).not.toBe(inodeBefore); // renamed into place, not rewritten in place
    const left = readdirSync(s.keys);
    expect(left.filter((f) => f.includes('.tmp-'))).toEqual([]);
    const prev = left.filter((f) => /^\.cloud\.key\.\d{8}T\d{6}\.\d{3}Z\.prev$/.test(f));
    expect(prev).toHaveLength(1);
    expect(readFileSync(join(s.keys, prev[0] as string), 'utf8')).toBe(`${OLD_KEY}\n`);
    expect(statSync(join(s.keys, prev[0] as string)).mode & 0o777).toBe(0o600);

    expect(r.stdout).toBe(`wrote ${s.keyFile} (mode 0600) for cloud; previous key kept in ${join(s.keys, prev[0] as string)}\n`);
    const audit = await runBin(['--config', s.config, '--db', s.db, 'audit', '--json']);
    expect(audit.code).toBe(0);
    const rows = (JSON.parse(audit.stdout) as { rows: AuditRow[] }).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'cloud-key.set', outcome: 'ok', issue_id: null, archived: { from: s.keyFile, to: join(s.keys, prev[0] as string) } });
    expect(rows[0]?.detail).toMatch(new RegExp(`^replaced ${s.keyFile} for cloud \\(${NEW_KEY.length} characters\\)`));
    for (const text of [r.stdout, r.stderr, audit.stdout, audit.stderr]) {
      expect(text).not.toContain(NEW_KEY);
      expect(text).not.toContain(OLD_KEY);
    }
    // Not in SQLite (db, -wal, -shm) nor anywhere else but the key file and its backup.
    expectNotOnDisk(s.dir, NEW_KEY, (p) => p === s.keyFile);
    expectNotOnDisk(s.dir, OLD_KEY, (p) => p.endsWith('.prev'));
  });

  it('writes a first key with mode 0600 when there was none (no backup to keep)', async () => {
    const s = setup();
    const r = await runBin(['--config', s.config, '--db', s.db, 'cloud-key', 'set', '--stdin'], { input: NEW_KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(s.keyFile, 'utf8')).toBe(`${NEW_KEY}\n`);
    expect(statSync(s.keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(s.keys)).toEqual(['cloud.key']);
    expect(r.stdout + r.stderr).not.toContain(NEW_KEY);
  });

  it.each([
    ['an empty key', ''],
    ['only whitespace', ' \n\t\n'],
    ['a key spanning lines', `${NEW_KEY}\nsecond-line`],
  ])('refuses %s (exit 64): the file, its inode and the audit stay as they were', async (_what, input) => {
    const s = setup();
    writeFileSync(s.keyFile, `${OLD_KEY}\n`, { mode: 0o600 });
    const before = statSync(s.keyFile);
    const r = await runBin(['--config', s.config, '--db', s.db, 'cloud-key', 'set', '--stdin'], { input });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/the key on stdin is empty or spans several lines/);
    expect(r.stdout + r.stderr).not.toContain(NEW_KEY);
    expect(readFileSync(s.keyFile, 'utf8')).toBe(`${OLD_KEY}\n`);
    expect(statSync(s.keyFile).ino).toBe(before.ino);
    expect(readdirSync(s.keys)).toEqual(['cloud.key']);
    const audit = await runBin(['--config', s.config, '--db', s.db, 'audit', '--json']);
    expect((JSON.parse(audit.stdout) as { rows: AuditRow[] }).rows.filter((x) => x.outcome === 'ok')).toEqual([]);
  });

  it('refuses without --stdin (a key never comes from argv) and from a terminal (it would be echoed)', async () => {
    const s = setup();
    const noStdin = await runBin(['--config', s.config, '--db', s.db, 'cloud-key', 'set'], { input: NEW_KEY });
    expect(noStdin.code).toBe(64);
    expect(noStdin.stderr).toMatch(/pass --stdin/);
    expect(existsSync(s.keyFile)).toBe(false);
    // stdin on a pseudo-terminal (python's pty module gives the child one).
    const tty = spawnSync(
      'python3',
      ['-c', 'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))', process.execPath, BIN, '--config', s.config, '--db', s.db, 'cloud-key', 'set', '--stdin'],
      { encoding: 'utf8', input: '', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(tty.status).toBe(64);
    expect(tty.stdout).toMatch(/stdin is a terminal: pipe the key in instead/);
    expect(existsSync(s.keyFile)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// telemetry --follow
// ---------------------------------------------------------------------------

const record = (issue: string, i: number): string => `{"session_id":"s${i}","issue_id":"${issue}","success":false,"total_iterations":${i},"timestamp":"2026-04-18T08:00:0${i % 10}Z","iterations":[]}`;

class Follower {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  /** Complete NDJSON lines printed so far. */
  docs(): Array<Record<string, unknown>> {
    const full = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return full
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
  records(): string[] {
    return this.docs().flatMap((d) => (d['event'] === 'record' ? [String((d['record'] as { issue_id: string }).issue_id)] : []));
  }
  async until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stdout=${this.stdout} stderr=${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

let followers: Follower[] = [];
afterEach(() => {
  for (const f of followers) if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
  followers = [];
});

describe('telemetry --follow (real binary)', () => {
  it('shows only complete lines, announces a truncation, and exits cleanly (130, interrupted) on SIGINT', async () => {
    const dir = tempDir('follow');
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\n`);
    const file = join(dir, 'tel.jsonl');
    writeFileSync(file, `${record('beefcake-before', 1)}\n${record('beefcake-before', 2)}\n`);
    const child = spawn(process.execPath, [BIN, '--config', config, '--db', join(dir, 'state.db'), 'telemetry', '--follow', '--file', file, '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const f = new Follower(child);
    followers.push(f);

    // Ready once a line appended after start shows up (the follower starts at the end).
    let n = 0;
    let last = 0;
    await f.until(
      () => {
        if (f.records().some((r) => r.startsWith('beefcake-ready'))) return true;
        if (Date.now() - last > 250) {
          appendFileSync(file, `${record(`beefcake-ready${n++}`, 3)}\n`);
          last = Date.now();
        }
        return false;
      },
      'the follower to start',
      30_000,
    );
    expect(f.records().every((r) => r.startsWith('beefcake-ready'))).toBe(true); // what was there before is not replayed

    const partial = record('beefcake-partial', 5);
    appendFileSync(file, `${record('beefcake-whole', 4)}\n${partial.slice(0, 40)}`);
    await f.until(() => f.records().includes('beefcake-whole'), 'the complete line');
    await new Promise((r) => setTimeout(r, 1500)); // more than one poll interval
    expect(f.records()).not.toContain('beefcake-partial');
    expect(f.docs().filter((d) => d['event'] === 'malformed')).toEqual([]);
    appendFileSync(file, `${partial.slice(40)}\n`);
    await f.until(() => f.records().includes('beefcake-partial'), 'the completed partial line');
    const whole = f.docs().find((d) => d['event'] === 'record' && (d['record'] as { issue_id: string }).issue_id === 'beefcake-partial');
    expect(whole?.['record']).toEqual(JSON.parse(partial));

    truncateSync(file, 0);
    await f.until(() => f.docs().some((d) => d['event'] === 'reset'), 'the truncation notice');
    expect(f.docs().find((d) => d['event'] === 'reset')).toMatchObject({ event: 'reset', reason: 'truncated' });
    expect(f.stderr).toMatch(new RegExp(`^-- ${file.replaceAll('.', '\\.')} shrank from \\d+ to 0 bytes; reading from the start$`, 'm'));
    appendFileSync(file, `${record('beefcake-after', 6)}\n`);
    await f.until(() => f.records().includes('beefcake-after'), 'a line after the truncation');

    // Ctrl-C: the process exits by itself with the convention's "interrupted" code (130,
    // src/cli/main.ts), not killed by the signal, with every printed line complete.
    child.kill('SIGINT');
    const exit = await f.exited;
    expect(exit).toEqual({ code: 130, signal: null });
    expect(f.stderr).not.toMatch(/Error|at .*\.js:\d+/);
    expect(f.stdout.endsWith('\n')).toBe(true);
    expect(f.records().filter((r) => !r.startsWith('beefcake-ready'))).toEqual(['beefcake-whole', 'beefcake-partial', 'beefcake-after']);
  }, 60_000);
});

// ---------------------------------------------------------------------------
// audit after resume clear
// ---------------------------------------------------------------------------

describe('audit --issue X --json after resume clear (real binary)', () => {
  it('has who, when, the action, the outcome and what was archived where; other issues stay out', async () => {
    const dir = tempDir('audit');
    for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive']) mkdirSync(join(dir, d), { recursive: true });
    const config = join(dir, 'swarmctl.yaml');
    writeFileSync(config, `version: 1\npaths:\n  shared_root: ${dir}\nswarm:\n  profile: beefcake\n`);
    const db = join(dir, 'state.db');
    const issue = 'beefcake-au1';
    const resume = join(dir, 'code/repo/.swarm-resume.json');
    const content = `${JSON.stringify({ issue: { id: issue, title: 'x' }, iteration: 4, saved_at: '2026-04-18T08:00:00Z' }, null, 2)}\n`;
    writeFileSync(resume, content);

    const other = await runBin(['--config', config, '--db', db, 'resume', 'clear', 'beefcake-other']);
    expect(other.code).toBe(1); // nothing to move for that issue (the file is beefcake-au1's)
    expect(existsSync(resume)).toBe(true);
    // resume clear first asks the queue whether the issue's job runs: an empty one (no SLURM here).
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'squeue'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const t0 = Date.now();
    const cleared = await runBin(['--config', config, '--db', db, 'resume', 'clear', issue, '--json'], { env: { PATH: `${bin}:${process.env['PATH']}` } });
    const t1 = Date.now();
    expect(cleared.code, cleared.stderr).toBe(0);
    const res = JSON.parse(cleared.stdout) as { outcome: string; from: string; archivedTo: string };
    expect(res).toMatchObject({ outcome: 'ok', from: resume });
    expect(res.archivedTo).toMatch(new RegExp(`^${join(dir, 'ai/archive', issue).replaceAll('.', '\\.')}/\\d{8}T\\d{6}\\.\\d{3}Z\\.swarm-resume\\.json$`));
    expect(existsSync(resume)).toBe(false);
    expect(readFileSync(res.archivedTo, 'utf8')).toBe(content);

    const a = await runBin(['--config', config, '--db', db, 'audit', '--issue', issue, '--json']);
    expect(a.code).toBe(0);
    const rows = (JSON.parse(a.stdout) as { rows: AuditRow[] }).rows;
    expect(rows).toHaveLength(1);
    const row = rows[0] as AuditRow;
    const user = process.env['SUDO_USER'] ? `${process.env['SUDO_USER']}(sudo)` : userInfo().username;
    expect(row).toMatchObject({
      actor: `${user}@${hostname()}`,
      issue_id: issue,
      action: 'resume.clear',
      outcome: 'ok',
      archived: { from: resume, to: res.archivedTo },
      detail: `moved ${resume} to ${res.archivedTo}`,
    });
    expect(row.at).toBeGreaterThanOrEqual(t0);
    expect(row.at).toBeLessThanOrEqual(t1);

    const text = await runBin(['--config', config, '--db', db, 'audit', '--issue', issue]);
    expect(text.stdout).toContain(`${new Date(row.at).toISOString()}  ${row.actor}  ${issue}  resume.clear  ok`);
    expect(text.stdout).toContain(`archived=${JSON.stringify({ from: resume, to: res.archivedTo })}`);
    expect(text.stdout).not.toContain('beefcake-other');
    const all = (JSON.parse((await runBin(['--config', config, '--db', db, 'audit', '--json'])).stdout) as { rows: AuditRow[] }).rows;
    expect(all.map((x) => `${x.issue_id}:${x.action}:${x.outcome}`)).toEqual([`${issue}:resume.clear:ok`, 'beefcake-other:resume.clear:skipped']);
  });
});
