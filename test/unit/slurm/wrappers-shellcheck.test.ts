// The sbatch wrappers and the project's own shell scripts must stay shellcheck-clean
// (the batch issue asks it of the wrappers; the test scripts run as root on CI).
// shellcheck comes from Debian's package, installed by scripts/test-cluster.sh; a
// machine without it fails here rather than skipping.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const scripts = [
  ...readdirSync(join(root, 'slurm'))
    .filter((f) => f.endsWith('.sbatch'))
    .map((f) => join('slurm', f)),
  ...readdirSync(join(root, 'scripts'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join('scripts', f)),
  ...readdirSync(join(root, 'fixtures', 'sim'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join('fixtures', 'sim', f)),
  '.ci/run',
];

describe('shell scripts', () => {
  it('finds the wrappers it is meant to check', () => {
    expect(scripts).toEqual(expect.arrayContaining(['slurm/swarm-job.sbatch', 'slurm/llama-server.sbatch', 'scripts/test.sh', 'scripts/test-cluster.sh', 'fixtures/sim/python-worker-sim.sh']));
  });

  it.each(scripts)('%s is shellcheck-clean (every severity)', (file) => {
    const r = spawnSync('shellcheck', ['--format=gcc', file], { cwd: root, encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck did not run (${r.error.message}): install it with \`bash scripts/test-cluster.sh install\` (Debian package shellcheck)`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
