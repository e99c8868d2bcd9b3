// Discovery records in both shapes (the real beefcake samples, copied unchanged from
// ../shared/formats/beefcake/, and runbook-shaped files), invalid files with reasons,
// and the record swarmctl writes.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIER_MAP, buildDiscoveryRecord, discoveryFileName, isPlainHost, parseDiscovery, parseDiscoveryFileName, type DiscoveryRecord } from '../../../src/discovery/parse.js';

const dir = new URL('../../../fixtures/discovery/', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, dir), 'utf8');

const parseOk = (file: string, text: string, tierMap?: Record<string, string>): DiscoveryRecord => {
  const r = parseDiscovery(file, text, tierMap === undefined ? {} : { tierMap });
  if (!r.ok) throw new Error(`${file}: ${r.reason}`);
  return r.record;
};

describe('real beefcake-swarm records', () => {
  it('2288-14b.json: router with a models list and a combined tier', () => {
    const r = parseOk('2288-14b.json', read('2288-14b.json'));
    expect(r).toEqual({
      file: '2288-14b.json',
      jobId: '2288',
      tag: '14b',
      tiers: ['fast', 'coder'],
      host: 'vasp-02',
      port: 8080,
      node: 'vasp-02',
      models: ['strand-rust-coder-14b-q8_0', 'Qwen3-Coder-Next'],
      model: 'strand-rust-coder-14b-q8_0',
      baseUrl: 'http://vasp-02:8080',
      healthUrl: 'http://vasp-02:8080/health',
      endpoint: 'http://vasp-02:8080/v1/chat/completions',
      modelsEndpoint: 'http://vasp-02:8080/v1/models',
      startedAt: '2026-04-16T13:47:55.000Z',
      shape: 'beefcake',
      extra: {
        mode: 'router',
        models_dir: '/scratch/ai/models/router',
        anthropic_endpoint: 'http://vasp-02:8080/v1/messages',
      },
      warnings: [],
    });
    expect(Number.isNaN(Date.parse(r.startedAt!))).toBe(false);
  });

  it('2291-27b.json: single model, tier field wins over the tag map, extras kept', () => {
    const r = parseOk('2291-27b.json', read('2291-27b.json'));
    expect(r.jobId).toBe('2291');
    expect(r.tiers).toEqual(['scout']);
    expect(r.models).toEqual(['Qwen3.5-27B-Distilled']);
    expect(r.model).toBe('Qwen3.5-27B-Distilled');
    expect(r.healthUrl).toBe('http://vasp-03:8081/health');
    expect(r.modelsEndpoint).toBe('http://vasp-03:8081/v1/models'); // derived: the file has none
    expect(r.startedAt).toBe('2026-04-16T13:51:07.000Z');
    expect(r.extra).toEqual({ context_size: 196608, notes: '27B Distilled Reasoning, 192K VRAM-Resident Context' });
    expect(r.pid).toBeUndefined();
  });

  it('job_id as written (string) wins; the sample file name prefix agrees', () => {
    const text = read('2288-14b.json');
    const r = parseOk('endpoints.2288-14b.json', text);
    expect(r.jobId).toBe('2288');
    expect(r.tag).toBeNull();
    expect(r.warnings).toEqual(['file name "endpoints.2288-14b.json" is not <JOBID>-<tag>.json']);
  });
});

describe('runbook-shaped records', () => {
  it('1001-fast.json: job id and tier from the file name', () => {
    const r = parseOk('/cluster/shared/ai/endpoints/1001-fast.json', read('1001-fast.json'));
    expect(r).toMatchObject({
      file: '1001-fast.json',
      jobId: '1001',
      tag: 'fast',
      tiers: ['fast'],
      host: '10.0.0.21',
      port: 8080,
      model: 'HydraCoder.i1-Q4_K_M',
      models: ['HydraCoder.i1-Q4_K_M'],
      baseUrl: 'http://10.0.0.21:8080',
      healthUrl: 'http://10.0.0.21:8080/health',
      endpoint: 'http://10.0.0.21:8080/v1/chat/completions',
      startedAt: '2026-04-16T13:02:11.000Z',
      shape: 'runbook',
      node: null,
      extra: {},
      warnings: [],
    });
  });

  it('1002-reasoning.json: local offset normalised to UTC', () => {
    const r = parseOk('1002-reasoning.json', read('1002-reasoning.json'));
    expect([r.jobId, r.tiers, r.startedAt, r.healthUrl]).toEqual(['1002', ['reasoning'], '2026-04-16T13:10:00.000Z', 'http://vasp-01:8081/health']);
  });

  it('fast/reasoning tags name themselves even with a custom tier map', () => {
    expect(parseOk('1001-fast.json', read('1001-fast.json'), { '8b': 'fast' }).tiers).toEqual(['fast']);
  });
});

describe('tiers from the file tag', () => {
  const noTier = (extra = ''): string => `{"host":"vasp-02","port":8080,"model":"m","started_at":"2026-04-16T08:00:00Z"${extra}}`;

  it('uses the documented default map', () => {
    expect(DEFAULT_TIER_MAP).toMatchObject({ '14b': 'fast', '27b': 'reasoning' });
    expect(parseOk('2400-14b.json', noTier()).tiers).toEqual(['fast']);
    expect(parseOk('2401-27b.json', noTier()).tiers).toEqual(['reasoning']);
  });

  it('uses a configured map, including combined tiers', () => {
    expect(parseOk('2402-122b.json', noTier(), { '122b': 'reasoning+manager' }).tiers).toEqual(['reasoning', 'manager']);
  });

  it('keeps a record with an unknown tag but warns', () => {
    const r = parseOk('2403-qwen35.json', noTier());
    expect(r.tiers).toEqual([]);
    expect(r.warnings).toContain('no tier: no "tier" field and the file tag is not in the tier map');
  });

  it('does not read tiers off Object.prototype', () => {
    expect(parseOk('2404-constructor.json', noTier()).tiers).toEqual([]);
  });
});

describe('lenient fields with warnings', () => {
  it('accepts a numeric job_id and a string port', () => {
    const r = parseOk('2500-fast.json', '{"job_id": 2500, "host": "h", "port": "8080", "model": "m"}');
    expect([r.jobId, r.port]).toEqual(['2500', 8080]);
    expect(r.warnings).toEqual(['"port" is a string, expected a number', 'missing "started_at"']);
    expect(r.startedAt).toBeNull();
  });

  it('notes a job_id that differs from the file name and keeps the field', () => {
    const r = parseOk('2501-fast.json', '{"job_id": "2599", "host": "h", "port": 1, "model": "m"}');
    expect(r.jobId).toBe('2599');
    expect(r.warnings[0]).toBe('"job_id" 2599 differs from the file name\'s 2501');
  });

  it('replaces a bad health_url with the derived one', () => {
    const r = parseOk('2502-fast.json', '{"host": "h", "port": 9, "model": "m", "health_url": "javascript:alert(1)"}');
    expect(r.healthUrl).toBe('http://h:9/health');
    expect(r.warnings[0]).toMatch(/"health_url" is not an http\(s\) URL/);
  });

  it('brackets IPv6 hosts in URLs and keeps pid', () => {
    const r = parseOk('2503-fast.json', '{"host": "fd00::21", "port": 8080, "model": "m", "pid": 4242}');
    expect([r.baseUrl, r.pid]).toEqual(['http://[fd00::21]:8080', 4242]);
  });

  it('warns about a listen-on-all host and an unreadable started_at', () => {
    const r = parseOk('2504-fast.json', '{"host": "0.0.0.0", "port": 80, "model": "m", "started_at": "yesterday"}');
    expect(r.warnings).toEqual(['host 0.0.0.0 is a listen-on-all address, not reachable from other machines', '"started_at" "yesterday" is not a timestamp']);
  });

  it('does not let a __proto__ key change the extra object', () => {
    const r = parseOk('2505-fast.json', '{"host": "h", "port": 1, "model": "m", "__proto__": {"polluted": true}}');
    expect(Object.getPrototypeOf(r.extra)).toBe(Object.prototype);
    expect((r.extra as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(r.extra)).toEqual(['__proto__']);
  });

  it('strips a byte-order mark', () => {
    expect(parseOk('2506-fast.json', '\uFEFF{"host":"h","port":1,"model":"m"}').host).toBe('h');
  });
});

describe('invalid files', () => {
  it.each([
    ['2301-14b.json', /^truncated JSON/],
    ['2302-fast.json', /^not valid JSON/],
    ['2303-fast.json', /^missing "host"$/],
    ['2304-fast.json', /^missing "port"$/],
    ['2305-fast.json', /^"port" 70000 is out of range/],
    ['2306-fast.json', /is not a plain hostname or IP address/],
    ['2307-fast.json', /is not a plain hostname or IP address/],
    ['2308-fast.json', /^not a JSON object \(got an array\)$/],
    ['2309-fast.json', /^file is empty$/],
  ])('invalid/%s', (file, reason) => {
    const r = parseDiscovery(file, read(`invalid/${file}`));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('every file in fixtures/discovery/invalid is refused', () => {
    const files = readdirSync(new URL('invalid/', dir));
    expect(files.length).toBe(9);
    for (const f of files) expect(parseDiscovery(f, read(`invalid/${f}`)).ok).toBe(false);
  });

  it.each([
    ['{"host": "vasp 02", "port": 1}', /plain hostname/],
    ['{"host": "vasp-02/x", "port": 1}', /plain hostname/],
    ['{"host": 12, "port": 1}', /"host" is not a string/],
    ['{"host": "h", "port": 0}', /out of range/],
    ['{"host": "h", "port": 80.5}', /out of range/],
    ['{"host": "h", "port": true}', /"port" is not a number/],
    ['null', /got null/],
    ['"text"', /got string/],
    ['{"host": "h", "port": 1', /^truncated JSON/],
  ])('%s', (text, reason) => {
    const r = parseDiscovery('2600-fast.json', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('needs a job id from the field or the file name', () => {
    const r = parseDiscovery('endpoint.json', '{"host": "h", "port": 1}');
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^no job id/) });
    expect(parseDiscovery('endpoint.json', '{"job_id": "77", "host": "h", "port": 1}').ok).toBe(true);
  });
});

describe('hosts and file names', () => {
  it.each([
    ['vasp-02', true],
    ['vasp-02.cluster.local', true],
    ['10.0.0.21', true],
    ['::1', true],
    ['[fd00::21]', true],
    ['fe80::1:2:3:4:5', true],
    ['::ffff:10.0.0.1', true],
    ['256.1.1.1', false],
    ['10.0.0', false],
    ['http://h', false],
    ['h:8080', false],
    ['user@h', false],
    ['h h', false],
    ['-h', false],
    ['', false],
    ['1:2:3:4:5:6:7:8:9', false],
  ])('isPlainHost(%j) = %j', (host, ok) => {
    expect(isPlainHost(host)).toBe(ok);
  });

  it('splits <JOBID>-<tag>.json at the first dash', () => {
    expect(parseDiscoveryFileName('2288-14b.json')).toEqual({ jobId: '2288', tag: '14b' });
    expect(parseDiscoveryFileName('/x/y/1001-fast.json')).toEqual({ jobId: '1001', tag: 'fast' });
    expect(parseDiscoveryFileName('2288-fast+coder.json')).toEqual({ jobId: '2288', tag: 'fast+coder' });
    expect(parseDiscoveryFileName('2288.json')).toBeNull();
    expect(parseDiscoveryFileName('..-fast.json')).toBeNull();
    expect(parseDiscoveryFileName('2288-14b.json.tmp')).toBeNull();
  });
});

describe('the record swarmctl writes', () => {
  const input = {
    jobId: '4242',
    tier: 'fast',
    host: 'vasp-02',
    port: 8080,
    model: 'strand-rust-coder-14b-q8_0',
    pid: 31337,
    startedAt: new Date('2026-04-16T13:47:55Z'),
  };

  it('has the runbook fields plus job_id, tier, pid, models and the beefcake URLs', () => {
    const b = buildDiscoveryRecord(input);
    expect(b).toEqual({
      ok: true,
      fileName: '4242-fast.json',
      record: {
        host: 'vasp-02',
        port: 8080,
        model: 'strand-rust-coder-14b-q8_0',
        started_at: '2026-04-16T13:47:55.000Z',
        health_url: 'http://vasp-02:8080/health',
        job_id: '4242',
        tier: 'fast',
        pid: 31337,
        models: ['strand-rust-coder-14b-q8_0'],
        endpoint: 'http://vasp-02:8080/v1/chat/completions',
        models_endpoint: 'http://vasp-02:8080/v1/models',
      },
    });
  });

  it('reads back to the same endpoint', () => {
    const b = buildDiscoveryRecord(input);
    if (!b.ok) throw new Error(b.reason);
    const r = parseOk(b.fileName, JSON.stringify(b.record, null, 2));
    expect(r).toMatchObject({
      jobId: '4242',
      tag: 'fast',
      tiers: ['fast'],
      pid: 31337,
      shape: 'swarmctl',
      startedAt: '2026-04-16T13:47:55.000Z',
      extra: {},
      warnings: [],
    });
  });

  it.each([
    [{ jobId: '42-1' }, /job id/],
    [{ jobId: '../x' }, /job id/],
    [{ tier: 'fast coder' }, /tier/],
    [{ host: 'http://h' }, /host/],
    [{ port: 0 }, /port/],
    [{ model: '' }, /model/],
    [{ model: 'a\nb' }, /model/],
    [{ pid: -1 }, /pid/],
    [{ startedAt: 'not a time' }, /started_at/],
  ])('refuses %j', (patch, reason) => {
    const b = buildDiscoveryRecord({ ...input, ...patch });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.reason).toMatch(reason);
  });

  it('names files <JOBID>-<tier>.json and refuses names that would not read back', () => {
    expect(discoveryFileName('2288', 'reasoning')).toBe('2288-reasoning.json');
    expect(discoveryFileName('2288', 'Fast')).toBe('2288-fast.json');
    expect(() => discoveryFileName('22-88', 'fast')).toThrow(/job id/);
    expect(() => discoveryFileName('2288', '../x')).toThrow(/tier/);
    expect(() => discoveryFileName('', 'fast')).toThrow(/job id/);
  });
});
