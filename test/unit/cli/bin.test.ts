// The real binary's command routing and exit codes (no cluster needed).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runBin } from '../../support/bin.js';
import { commandName } from '../../../src/cli/argv.js';
import { COMMANDS, registerFor } from '../../../src/cli/commands/index.js';
import { Command } from 'commander';

describe('swarmctl binary', () => {
  it('an unknown command is a usage error, exit 64', async () => {
    const r = await runBin(['nosuchcmd']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("unknown command 'nosuchcmd'");
  });
  it('plain swarmctl off a terminal prints the status (here: the config error), never the console', async () => {
    const r = await runBin(['--config', '/nonexistent/swarmctl.yaml']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('printing the status instead');
    expect(r.stderr).toContain('/nonexistent/swarmctl.yaml: cannot read the config: no such file');
  });
  it('--version and --help exit 0; --help lists the exit codes', async () => {
    expect((await runBin(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runBin(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('64   usage or config error');
  });
  it('the bin runs the bundle (dist/bundle), the same commands as the compiled sources', async () => {
    const h = await runBin(['queue', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: swarmctl queue [options]');
    expect(h.stdout).toContain('--all');
  });
  it('a closed output pipe ends quietly with 141, not an EPIPE stack trace', async () => {
    // The reader's end is closed before swarmctl writes anything, so its first write fails.
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(err).toBe('');
    expect(code).toBe(141);
  });
});

describe('command routing (only the named command is defined)', () => {
  const argv = (...a: string[]) => ['node', 'swarmctl', ...a];
  it('commandName skips global options and their values', () => {
    expect(commandName(argv('queue', '--json'))).toBe('queue');
    expect(commandName(argv('--config', 'queue.yaml', '--db', 'x.db', 'probe'))).toBe('probe');
    expect(commandName(argv('-c', 'a.yaml', '--json'))).toBeUndefined();
    expect(commandName(argv('--config=a.yaml', 'status'))).toBe('status');
    expect(commandName(argv())).toBeUndefined();
  });
  const names = (p: Command) => p.commands.map((c) => c.name());
  it('a known command defines only itself; status shares the tui module', () => {
    const p = new Command();
    registerFor(p, 'queue', false);
    expect(names(p)).toEqual(['queue']);
    const s = new Command();
    registerFor(s, 'status', false);
    expect(names(s)).toEqual(['tui', 'status']);
  });
  it('no command or an unknown one defines everything (help and "unknown command" see the whole program); --version alone defines nothing', () => {
    const all = new Command();
    registerFor(all, undefined, false);
    const expected = COMMANDS.flatMap(([n]) => n);
    expect(names(all)).toEqual(expected);
    const typo = new Command();
    registerFor(typo, 'queu', false);
    expect(names(typo)).toEqual(expected);
    const v = new Command();
    registerFor(v, undefined, true);
    expect(names(v)).toEqual([]);
  });
});
