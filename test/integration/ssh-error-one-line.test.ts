// An unreachable direct-SSH host is reported in ONE line: the remote shell script
// swarmctl sends is named, never printed into queue/recover errors. Real sshd.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCluster } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { makeBatchConfig, type BatchTestEnv } from '../support/batch-config.js';

let env: BatchTestEnv;
let unreachable: string;
let jobId: string | undefined;
const run = (config: string, args: string[]) => runBin(['--config', config, '--db', env.db, ...args]);

beforeAll(() => {
  requireCluster();
  env = makeBatchConfig({ command: ['sleep', '120'] });
  unreachable = join(env.dir, 'unreachable.yaml');
  writeFileSync(unreachable, readFileSync(env.config, 'utf8').replace('port: 12222', 'port: 1'));
});

afterAll(async () => {
  if (jobId) await run(env.config, ['cancel', jobId]);
});

describe('ssh failures in one line', () => {
  it('queue and recover name the unreachable host without the remote script', async () => {
    const s = await run(env.config, ['submit', `o${process.pid}`, '--via', 'ssh', '--title', 't', '--json']);
    expect(s.code, s.stderr).toBe(0);
    jobId = JSON.parse(s.stdout).outcomes[0].jobId as string;
    const q = await run(unreachable, ['queue']);
    const line = q.stderr.split('\n').find((l) => l.includes('Connection refused'));
    expect(line, q.stderr).toMatch(/<script> swarmctl-check .*Connection refused/);
    expect(q.stderr).not.toMatch(/kill -0/);
    const r = await run(unreachable, ['recover', `o${process.pid}`, '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/refusing to recover.*<script>.*Connection refused/);
    expect(r.stdout + r.stderr).not.toMatch(/kill -0/);
  }, 60_000);
});
