// Every command and subcommand that `swarmctl --help` lists, run through the built
// binary in text and --json mode against the test cluster (real SLURM and sshd) with a
// throwaway config, share and database: none may print `internal error` or a stack
// trace. The list comes from the help output, so a new command is covered without
// editing this file. Arguments: each `<arg>` of a usage line gets a placeholder, known
// required options get values, and --dry-run is passed wherever a command offers it.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin, type BinResult } from '../support/bin.js';
import { makeBatchConfig } from '../support/batch-config.js';

const env = makeBatchConfig({ command: ['true'], timeoutS: 10 });
const G = ['--config', env.config, '--db', env.db];
const ENV = { XDG_STATE_HOME: `${env.dir}/state`, XDG_CACHE_HOME: `${env.dir}/cache`, SWARMCTL_NO_CONFIG_CACHE: '1' };
afterAll(() => rmSync(env.dir, { recursive: true, force: true }));

/** Values for required options a command's help shows (placeholders, harmless). */
const OPTION_VALUES: Record<string, string> = { '--tier': 'fast', '--port': '1', '--model': 'm', '--job-id': '999999991', '--wait-s': '0' };
/** Placeholders for positional arguments, by name; anything else gets an issue-like id. */
const ARG_VALUES: Record<string, string> = { jobid: '999999991', target: '999999991', path: env.config, service: 'slurm' };
/** Interactive: needs a terminal; run without one it must still end with a one-line message. */
const INPUT: Record<string, string> = { 'cloud-key set': 'test-key-123\n' };

function commandsIn(help: string): string[] {
  const block = help.split('\nCommands:\n')[1];
  if (!block) return [];
  const names: string[] = [];
  for (const line of block.split('\n')) {
    if (line.trim() === '' && names.length) break;
    const m = /^ {2}([a-z][\w-]*)/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]!);
  }
  return names;
}

function argvFor(path: string[], help: string): string[] {
  const usage = /^Usage: swarmctl (.*)$/m.exec(help)?.[1] ?? '';
  const args: string[] = [];
  for (const m of usage.matchAll(/<([\w-]+)(\.\.\.)?>/g)) args.push(ARG_VALUES[m[1]!] ?? 'beefcake-every1');
  for (const [opt, v] of Object.entries(OPTION_VALUES)) if (new RegExp(`${opt} <`).test(help)) args.push(opt, v);
  if (/--dry-run\b/.test(help)) args.push('--dry-run');
  return [...path, ...args];
}

const crash = /internal error|^\s+at .+:\d+:\d+\)?$|RangeError|TypeError|ReferenceError/m;

async function leafCommands(): Promise<{ path: string[]; help: string }[]> {
  const top = await runBin([...G, '--help'], { env: ENV });
  const out: { path: string[]; help: string }[] = [];
  for (const c of commandsIn(top.stdout)) {
    const h = await runBin([...G, c, '--help'], { env: ENV });
    const subs = commandsIn(h.stdout);
    if (!subs.length) out.push({ path: [c], help: h.stdout });
    for (const s of subs) out.push({ path: [c, s], help: (await runBin([...G, c, s, '--help'], { env: ENV })).stdout });
  }
  return out;
}

describe('every command of swarmctl --help', () => {
  it('runs each in text and --json mode without an internal error or a stack trace', async () => {
    const leaves = await leafCommands();
    // The list really came from the help: the commands this file was written against are in it.
    const names = leaves.map((l) => l.path.join(' '));
    for (const known of ['config show', 'config check', 'resume show', 'discovery write', 'endpoints gc', 'queue', 'tui']) expect(names).toContain(known);
    const runs: { argv: string[]; input?: string }[] = [];
    for (const l of leaves) {
      const argv = argvFor(l.path, l.help);
      const input = INPUT[l.path.join(' ')];
      runs.push({ argv, ...(input ? { input } : {}) });
      if (/--json\b/.test(l.help)) runs.push({ argv: [...argv, '--json'], ...(input ? { input } : {}) });
    }
    const failures: string[] = [];
    const run = async (r: { argv: string[]; input?: string }): Promise<void> => {
      const res: BinResult = await runBin([...G, ...r.argv], { env: ENV, timeoutMs: 60_000, input: r.input ?? '' });
      const both = `${res.stdout}\n${res.stderr}`;
      if (crash.test(both)) failures.push(`swarmctl ${r.argv.join(' ')} (exit ${res.code}):\n${both.slice(0, 1500)}`);
      if (![0, 1, 2, 64].includes(res.code)) failures.push(`swarmctl ${r.argv.join(' ')}: exit ${res.code} is not a documented code\n${both.slice(0, 500)}`);
    };
    // Two at a time: the machine is shared.
    for (let i = 0; i < runs.length; i += 2) await Promise.all(runs.slice(i, i + 2).map(run));
    expect(failures, failures.join('\n\n')).toEqual([]);
  }, 900_000);
});
