import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfigText, formatProblem } from '../../../src/config/parse.js';
import { candidatePaths } from '../../../src/config/load.js';
import { findCycle } from '../../../src/config/semantic.js';

const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), 'utf8');
const parse = (text: string) => parseConfigText(text, 'test.yaml', '/home/op');

describe('config parse', () => {
  it('accepts the seed cluster with every host and path of the runbook', () => {
    const r = parseConfigText(read('fixtures/config/beefcake.yaml'), 'beefcake.yaml', '/root');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.config;
    expect(
      Object.values(c.hosts)
        .map((h) => h.address)
        .sort(),
    ).toEqual(['10.0.0.20', '10.0.0.21', '10.0.0.5', '100.105.113.58']);
    expect(c.paths).toMatchObject({
      shared_root: '/cluster/shared',
      endpoints_dir: '/cluster/shared/ai/endpoints',
      logs_dir: '/cluster/shared/ai/logs',
      worktrees_dir: '/cluster/shared/wt',
      repo: '/cluster/shared/code/beefcake-swarm',
      telemetry_file: '/cluster/shared/code/beefcake-swarm/.swarm-telemetry.jsonl',
    });
    expect(c.services['nfs']!.start).toEqual([
      ['systemctl', 'restart', 'nfs-kernel-server'],
      ['exportfs', '-rav'],
    ]);
    expect(c.services['ai-proxy']!.api_key_file).toBe('/cluster/shared/ai/.cloud-api-key');
    expect(c.swarm.sbatch_script).toBe('/cluster/shared/code/beefcake-swarm/scripts/run-swarm-sandbox.slurm');
  });

  it('accepts the loopback test config', () => {
    const r = parseConfigText(read('fixtures/config/loopback.yaml'), 'loopback.yaml', '/root');
    expect(r.ok).toBe(true);
  });

  it('reports a misspelt key and a wrong type together, with lines', () => {
    const r = parseConfigText(read('fixtures/config/bad/typo-and-type.yaml'), 'bad.yaml', '/root');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map(formatProblem);
    expect(lines).toContain('bad.yaml:5:11: hosts.slurm-ctl.port: expected a number, got string "twenty-two"');
    expect(lines.some((l) => l.startsWith('bad.yaml:9:5: services.vasp-02.helth_url: unknown key "helth_url"'))).toBe(true);
  });

  it('reports schema and reference problems in one pass', () => {
    const r = parseConfigText(read('fixtures/config/bad/cycle.yaml'), 'cycle.yaml', '/root');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const keys = r.problems.map((p) => `${p.line}:${p.key}:${p.message.split(':')[0]}`);
    expect(keys).toEqual([
      '3:hosts.a.address:missing required key (string)',
      '12:services.llama.host:unknown host "nowhere"',
      '13:services.llama.depends_on:dependency cycle',
      '17:services.proxy.depends_on.1:depends on unknown service "ghost" (known',
    ]);
  });

  it('reports YAML syntax errors with positions', () => {
    const r = parseConfigText(read('fixtures/config/bad/syntax.yaml'), 's.yaml', '/root');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.message).toMatch(/^YAML syntax/);
    expect(r.problems[0]!.line).toBeGreaterThan(0);
  });

  it('rejects an empty file, a host without address and a service without url', () => {
    expect(parse('').ok).toBe(false);
    const r = parse('hosts:\n  h1: {user: root}\nservices:\n  l:\n    kind: llama-server\npaths: {shared_root: /s}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.key)).toEqual(['hosts.h1.address', 'services.l']);
  });

  it('rejects a shell string where an argv is expected', () => {
    const r = parse('services:\n  n:\n    kind: nfs\n    mount: /m\n    start: "systemctl restart nfs"\npaths: {shared_root: /s}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.key).toBe('services.n.start');
    expect(r.problems[0]!.line).toBe(5);
  });

  it('fills defaults and derives paths from shared_root; expands ~ in identity files', () => {
    const r = parse('hosts:\n  h: {address: 10.1.1.1, identity_file: ~/.ssh/id}\npaths: {shared_root: /cluster/shared/}\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.paths.endpoints_dir).toBe('/cluster/shared/ai/endpoints');
    expect(r.config.paths.archive_dir).toBe('/cluster/shared/ai/archive');
    expect(r.config.hosts['h']!.identity_file).toBe('/home/op/.ssh/id');
    expect(r.config.thresholds).toMatchObject({ probe_timeout_s: 5, failure_threshold: 3, success_threshold: 2 });
    expect(r.config.swarm.job_name_template).toBe('swarm-{issue}');
  });
});

describe('config lookup order', () => {
  const base = { cwd: '/work', home: '/home/op' };
  it('--config wins and never falls through', () => {
    expect(candidatePaths({ ...base, explicit: 'x.yaml', env: { SWARMCTL_CONFIG: '/e.yaml' } })).toEqual([{ path: '/work/x.yaml', origin: '--config', explicit: true }]);
  });
  it('then $SWARMCTL_CONFIG', () => {
    expect(candidatePaths({ ...base, env: { SWARMCTL_CONFIG: '/e.yaml' } })[0]!.path).toBe('/e.yaml');
  });
  it('then ./swarmctl.yaml, XDG, /etc', () => {
    expect(candidatePaths({ ...base, env: { XDG_CONFIG_HOME: '/x' } }).map((c) => c.path)).toEqual(['/work/swarmctl.yaml', '/x/swarmctl/config.yaml', '/etc/swarmctl/config.yaml']);
    expect(candidatePaths({ ...base, env: {} })[1]!.path).toBe('/home/op/.config/swarmctl/config.yaml');
  });
});

describe('findCycle', () => {
  const svc = (deps: string[]) => ({ depends_on: deps });
  it('finds none in a DAG', () => {
    expect(findCycle({ services: { a: svc([]), b: svc(['a']), c: svc(['a', 'b']) } })).toBeNull();
  });
  it('finds a three-cycle as a closed path', () => {
    expect(findCycle({ services: { a: svc(['c']), b: svc(['a']), c: svc(['b']) } })).toEqual(['a', 'c', 'b', 'a']);
  });
});
