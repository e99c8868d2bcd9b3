// Bad issue ids and env entries are refused with exit 64 BEFORE any process
// starts: a fake sbatch/squeue/scontrol first on PATH records every call, and the
// record must stay empty.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../../support/batch-config.js';

let env: BatchTestEnv;
let fakeBin: string;
let record: string;

beforeAll(() => {
  env = makeBatchConfig({ command: ['sleep', '300'] });
  fakeBin = join(env.dir, 'fakebin');
  record = join(env.dir, 'calls.log');
  mkdirSync(fakeBin);
  for (const tool of ['sbatch', 'squeue', 'scontrol', 'scancel', 'ssh', 'bd']) {
    const p = join(fakeBin, tool);
    writeFileSync(p, `#!/bin/sh\necho "${tool} $*" >> '${record}'\necho 99\n`);
    chmodSync(p, 0o755);
  }
});

const run = (args: string[]) => runBin(['--config', env.config, '--db', env.db, ...args], { env: { PATH: `${fakeBin}:${process.env['PATH']}` } });

const BAD_IDS: Array<[string, string]> = [
  ['comma', 'a,b'],
  ['semicolon', 'a;reboot'],
  ['command substitution', '$(id)'],
  ['backtick', 'a`id`'],
  ['space', 'a b'],
  ['path traversal', '../etc'],
  ['newline', 'a\nb'],
  ['empty', ''],
  ['200 characters', 'a'.repeat(200)],
];

describe('submit refuses bad issue ids before anything runs', () => {
  for (const [what, id] of BAD_IDS) {
    it(`${what}: exit 64, no process started`, async () => {
      const r = await run(['submit', 'good-1', id, '--json']);
      expect(r.code).toBe(64);
      expect(JSON.parse(r.stdout).error.exit_code).toBe(64);
      expect(existsSync(record)).toBe(false);
    });
  }
  for (const via of ['ssh', 'auto']) {
    it(`--via ${via} validates first too`, async () => {
      const r = await run(['submit', 'a;b', '--via', via]);
      expect(r.code).toBe(64);
      expect(existsSync(record)).toBe(false);
    });
  }
  it('bad --env name or value: exit 64, nothing ran', async () => {
    for (const e of ['1BAD=x', 'NOEQUALS', 'A-B=1', 'X=line\nbreak']) {
      const r = await run(['submit', 'good-1', '--env', e]);
      expect(r.code, e).toBe(64);
    }
    expect(existsSync(record)).toBe(false);
  });
  it('cancel with a bad target: exit 64, nothing ran', async () => {
    const r = await run(['cancel', '$(id)']);
    expect(r.code).toBe(64);
    expect(existsSync(record)).toBe(false);
  });
  it('a good id reaches the (fake) tools: the record is not empty by accident', async () => {
    const r = await run(['submit', 'good-1', '--json']);
    expect(r.code).toBe(0);
    const calls = readFileSync(record, 'utf8');
    expect(calls).toMatch(/^squeue /m);
    expect(calls).toMatch(/^sbatch --parsable --job-name=swarmtest-good-1 /m);
  });
});
