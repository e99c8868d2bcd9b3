// cloud_escalation_failed is confirmed with the proxy probe: the real binary diagnoses a
// job log that shows a cloud failure, probes the configured openai-proxy service (the
// project's test server in proxy mode on loopback, with key auth) and reports what the
// proxy says NOW (key rejected / quota with its reset / healthy, so transient / down)
// in text and --json; `recover --dry-run` advises a key rotation only when the key is
// rejected. The key never appears in stdout, stderr, JSON, the SQLite files or any
// other file the run leaves.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireCluster, REPO_ROOT } from '../support/cluster.js';
import { runBin } from '../support/bin.js';
import { startTestServer, type TestServerHandle } from '../../src/testserver/llama-test-server.js';

const GOOD_KEY = `sk-cloud-GOOD-${process.pid}-7f3a9c0e51d2`;
const BAD_KEY = `sk-cloud-BAD-${process.pid}-0b8e44a1c9f7`;
const JOB = '4711';

interface Share {
  root: string;
  config: string;
  db: string;
  keyFile: string;
  issue: string;
}

let servers: TestServerHandle[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function proxy(mode: 'healthy' | 'quota' | 'no-auth', resetSeconds?: number): Promise<TestServerHandle> {
  const s = await startTestServer({ kind: 'proxy', mode, apiKey: GOOD_KEY, host: '127.0.0.1', ...(resetSeconds !== undefined ? { resetSeconds } : {}) });
  servers.push(s);
  return s;
}

/** A share whose job log shows the cloud failure sample; `url` null = no openai-proxy service. */
function makeShare(url: string | null, key: string, n: number): Share {
  const cluster = requireCluster();
  const root = mkdtempSync(join(tmpdir(), 'swarmctl-cloud-'));
  for (const d of ['code/repo', 'wt', 'ai/logs', 'ai/archive', 'keys']) mkdirSync(join(root, d), { recursive: true });
  const issue = `beefcake-cd${process.pid}x${n}`;
  const log = readFileSync(join(REPO_ROOT, 'fixtures/logs/cloud-failure.beefcake.txt'), 'utf8').replaceAll('beefcake-cl0d', issue);
  writeFileSync(join(root, `ai/logs/swarm-orch-${JOB}.log`), log);
  const keyFile = join(root, 'keys/cloud.key');
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const service = url === null ? '' : `services:\n  cloud:\n    kind: openai-proxy\n    url: ${url}\n    api_key_file: ${keyFile}\n    timeout_s: 5\n`;
  const config = join(root, 'swarmctl.yaml');
  writeFileSync(config, `version: 1\npaths:\n  shared_root: ${root}\nslurm:\n  conf: ${cluster.slurmConf}\n  command_timeout_s: 10\nswarm:\n  profile: beefcake\n${service}`);
  return { root, config, db: join(root, 'state.db'), keyFile, issue };
}

/** Every file under `dir` except the key file holds neither key (SQLite, WAL, archive, anything). */
function expectNoKeyOnDisk(dir: string, keyFile: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = join(e.parentPath, e.name);
    if (p === keyFile || !e.isFile()) continue;
    const bytes = readFileSync(p);
    expect(bytes.includes(GOOD_KEY), `${p} holds the key`).toBe(false);
    expect(bytes.includes(BAD_KEY), `${p} holds the key`).toBe(false);
  }
}

function expectNoKey(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(GOOD_KEY);
    expect(t).not.toContain(BAD_KEY);
  }
}

interface DiagDoc {
  status: string;
  exit_code: number;
  notes: string[];
  diagnoses: Array<{ kind: string; summary: string; evidence: Array<{ file: string; text: string }>; details: Record<string, unknown> }>;
}
interface ProxyCheckDoc {
  verdict: string;
  service: string;
  summary: string;
  probes: Array<{ service: string; verdict: string; status: string; http_status?: number; reset_seconds?: number }>;
}
interface RecoverDoc {
  plan: { kind: string; actions: Array<{ type: string; description: string; env?: Record<string, string> }> };
}

async function diagnoseJson(s: Share): Promise<{ doc: DiagDoc; check: ProxyCheckDoc | undefined; code: number; stdout: string; stderr: string }> {
  const r = await runBin(['--config', s.config, '--db', s.db, 'diagnose', s.issue, '--job', JOB, '--json']);
  const doc = JSON.parse(r.stdout) as DiagDoc;
  const cloud = doc.diagnoses.find((d) => d.kind === 'cloud_escalation_failed');
  expect(cloud, r.stderr).toBeDefined();
  return { doc, check: cloud?.details['proxy_check'] as ProxyCheckDoc | undefined, code: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function recoverAdvice(s: Share): Promise<{ advice: string; plan: RecoverDoc['plan']; out: string }> {
  const r = await runBin(['--config', s.config, '--db', s.db, 'recover', s.issue, '--job', JOB, '--dry-run', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as RecoverDoc;
  expect(doc.plan.kind).toBe('cloud_escalation_failed');
  expect(doc.plan.actions[0]?.env).toEqual({ SWARM_USE_CLOUD: '0' });
  const advice = doc.plan.actions.find((a) => a.type === 'advise')?.description ?? '';
  return { advice, plan: doc.plan, out: r.stdout + r.stderr };
}

describe('diagnose confirms cloud_escalation_failed with the proxy probe (real binary, loopback test proxy)', () => {
  it('a rejected key (401): confirmed in --json and text; recover advises cloud-key set --stdin; the key is nowhere', async () => {
    const server = await proxy('healthy');
    const s = makeShare(server.url, BAD_KEY, 1);
    const { doc, check, code, stdout, stderr } = await diagnoseJson(s);
    expect(code).toBe(1);
    expect(doc.exit_code).toBe(1);
    expect(check).toMatchObject({ verdict: 'key_rejected', service: 'cloud' });
    expect(check?.probes[0]).toMatchObject({ service: 'cloud', verdict: 'key_rejected', status: 'degraded', http_status: 401 });
    expect(check?.summary).toMatch(/confirmed: cloud rejects the key now/);
    const cloud = doc.diagnoses.find((d) => d.kind === 'cloud_escalation_failed');
    expect(cloud?.summary).toMatch(/proxy probe now: key rejected/);
    expect(cloud?.evidence.some((e) => e.file === 'probe:cloud' && /rejects the key now/.test(e.text))).toBe(true);
    // The probe really went out, with the key in a header only.
    const st = server.stats();
    expect(st.routes['/v1/models']?.withBearer).toBe(1);
    expect(st.routes['/v1/models']?.withValidKey).toBe(0);
    expect(st.keyInUrl).toBe(0);

    const text = await runBin(['--config', s.config, '--db', s.db, 'diagnose', s.issue, '--job', JOB]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^cloud_escalation_failed: .*proxy probe now: key rejected/m);
    expect(text.stdout).toMatch(/^ {2}probe:cloud {2}confirmed: cloud rejects the key now/m);

    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/confirms cloud rejects the key now: rotate it: swarmctl cloud-key set --stdin --service cloud < new-key-file/);
    expectNoKey(stdout, stderr, text.stdout, text.stderr, rec.out);
    expectNoKeyOnDisk(s.root, s.keyFile);
  });

  it('quota (429 model_cooldown): confirmed with the reset time; no key rotation advised', async () => {
    const server = await proxy('quota', 75);
    const s = makeShare(server.url, GOOD_KEY, 2);
    const { check, stdout, stderr } = await diagnoseJson(s);
    expect(check).toMatchObject({ verdict: 'quota', service: 'cloud' });
    expect(check?.probes[0]).toMatchObject({ http_status: 429, reset_seconds: 75 });
    expect(check?.summary).toMatch(/resets in 75 s/);
    expect(server.stats().routes['/v1/models']?.withValidKey).toBe(1);
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/quota \/ rate limit on cloud \(resets in 75 s\): the key is fine, do not rotate it/);
    expect(rec.advice).not.toMatch(/cloud-key set/);
    expectNoKey(stdout, stderr, rec.out);
    expectNoKeyOnDisk(s.root, s.keyFile);
  });

  it('a healthy proxy now: the failure was transient; no key rotation advised', async () => {
    const server = await proxy('healthy');
    const s = makeShare(server.url, GOOD_KEY, 3);
    const { check, stdout, stderr } = await diagnoseJson(s);
    expect(check).toMatchObject({ verdict: 'healthy_now' });
    expect(check?.probes[0]).toMatchObject({ status: 'up', http_status: 200 });
    expect(check?.summary).toMatch(/healthy now and accepts the key .*transient/);
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/transient.*no key rotation needed/);
    expect(rec.advice).not.toMatch(/cloud-key set/);
    expectNoKey(stdout, stderr, rec.out);
  });

  it('no upstream credential on the proxy (503 no auth available): our key is fine', async () => {
    const server = await proxy('no-auth');
    const s = makeShare(server.url, GOOD_KEY, 4);
    const { check } = await diagnoseJson(s);
    expect(check).toMatchObject({ verdict: 'no_upstream_auth' });
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/no usable upstream credential.*do not rotate it/);
    expect(rec.advice).not.toMatch(/cloud-key set/);
  });

  it('the proxy is down now (connection refused): said so; no key rotation advised', async () => {
    const server = await proxy('healthy');
    const url = server.url;
    await server.close();
    servers = servers.filter((x) => x !== server);
    const s = makeShare(url, GOOD_KEY, 5);
    const { check } = await diagnoseJson(s);
    expect(check).toMatchObject({ verdict: 'proxy_down' });
    expect(check?.probes[0]?.status).toBe('down');
    expect(check?.summary).toMatch(/cloud is down now \(.*refused.*\): the key could not be checked/i);
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/bring the proxy back \(swarmctl probe cloud\); no key rotation/);
  });

  it('without an openai-proxy service: a note says it was not confirmed, and the advice stays conditional', async () => {
    const s = makeShare(null, GOOD_KEY, 6);
    const { doc, check } = await diagnoseJson(s);
    expect(check).toBeUndefined();
    expect(doc.notes.join('\n')).toMatch(/no openai-proxy service is configured, so the failure was not confirmed with the proxy probe/);
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/^not confirmed with the proxy probe \(the log shows HTTP 401, 429\): .*only if it rejects the key \(401\/403\), rotate it: swarmctl cloud-key set --stdin/);
  });

  it('our key file is missing: said so, and the advice is to write it with cloud-key set', async () => {
    const server = await proxy('healthy');
    const s = makeShare(server.url, GOOD_KEY, 8);
    rmSync(s.keyFile);
    const { check } = await diagnoseJson(s);
    expect(check).toMatchObject({ verdict: 'key_missing', service: 'cloud' });
    expect(check?.summary).toMatch(/cloud is alive, but our key cannot be sent: key file .*cloud\.key is missing/);
    expect(server.stats().routes['/v1/models']).toBeUndefined();
    const rec = await recoverAdvice(s);
    expect(rec.advice).toMatch(/write the key: swarmctl cloud-key set --stdin --service cloud < new-key-file/);
  });

  it('the key file mode and content are untouched by diagnosing', async () => {
    const server = await proxy('healthy');
    const s = makeShare(server.url, GOOD_KEY, 7);
    const before = statSync(s.keyFile);
    await diagnoseJson(s);
    const after = statSync(s.keyFile);
    expect(after.mode & 0o777).toBe(0o600);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(s.keyFile, 'utf8')).toBe(`${GOOD_KEY}\n`);
  });
});
