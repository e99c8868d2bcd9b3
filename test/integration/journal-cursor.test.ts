// Journal evidence by cursor (issue 17): with `profile.job_log_command.format: journal-json` the
// dogfood loop's journal is read as `journalctl -o json` prints it (here a stand-in file of such
// entries, built from the shared dogfood sample, read over the real test sshd) and `swarmctl
// diagnose` cites each evidence line as `journal:<__CURSOR>`, not a line number of the stream.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';

const dir = mkdtempSync(join(tmpdir(), 'swarmctl-jcursor-'));
const journal = join(dir, 'dogfood-loop.json');
const config = join(dir, 'swarmctl.yaml');
const cursorOf = (i: number) => `s=5d3c0e1f;i=${(0x1f00 + i).toString(16)};b=7a2e;m=${i * 1000};t=63f1;x=${i}`;

beforeAll(() => {
  const cluster = requireCluster();
  const lines = readFileSync(join(REPO_ROOT, 'fixtures/pyworker/dogfood.stdout.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  // As journalctl -o json prints them: one object a line, other fields around MESSAGE.
  writeFileSync(
    journal,
    lines.map((l, i) => JSON.stringify({ __CURSOR: cursorOf(i), __REALTIME_TIMESTAMP: String(1776676324000000 + i), _SYSTEMD_UNIT: 'dogfood-loop.service', MESSAGE: l, PRIORITY: '6' })).join('\n') +
      '\n',
  );
  writeFileSync(
    config,
    `version: 1
hosts:
  local:
    address: 127.0.0.1
    user: root
    port: ${cluster.sshPort}
    identity_file: /tmp/swarmctl-cluster/ssh/id_ed25519
    ssh_options: [UserKnownHostsFile=/tmp/swarmctl-cluster/ssh/known_hosts, StrictHostKeyChecking=yes]
paths:
  shared_root: ${dir}
  repo: ${dir}/repo
slurm:
  conf: /tmp/swarmctl-cluster/slurm/slurm.conf
swarm:
  profile: python-worker
profile:
  paths: { run_summary: [] }
  job_log_command: { argv: [tail, -n, "+1", "${journal}"], host: local, format: journal-json }
`,
  );
});

describe('diagnose from a JSON journal', () => {
  it('stuck_loop with evidence journal:<cursor>, the cursor of the entry holding that text', async () => {
    const r = await runBin(['--config', config, '--db', join(dir, 'state.db'), 'diagnose', 'beefcake-3xkfa', '--json'], { timeoutMs: 60_000 });
    const doc = JSON.parse(r.stdout);
    const stuck = doc.diagnoses.find((d: { kind: string }) => d.kind === 'stuck_loop');
    expect(stuck, r.stdout).toBeDefined();
    const ev = stuck.evidence.find((e: { text: string }) => /→ beefcake-3xkfa: no_change wall=/.test(e.text));
    expect(ev.file).toBe(`journal:${cursorOf(20)}`);
    expect(ev.line).toBeUndefined();
    const entry = readFileSync(journal, 'utf8')
      .split('\n')
      .map((l) => (l ? (JSON.parse(l) as { __CURSOR: string; MESSAGE: string }) : null))
      .find((e) => e && `journal:${e.__CURSOR}` === ev.file);
    expect(entry?.MESSAGE).toContain(ev.text);
  }, 90_000);

  it("another issue's lines are not this one's evidence", async () => {
    const r = await runBin(['--config', config, '--db', join(dir, 'state.db'), 'diagnose', 'beefcake-q7m2d', '--json'], { timeoutMs: 60_000 });
    const doc = JSON.parse(r.stdout);
    for (const d of doc.diagnoses) for (const e of d.evidence) if (String(e.file).startsWith('journal:')) expect(e.text).toContain('beefcake-q7m2d');
  }, 90_000);
});
