/**
 * Endpoint discovery records: read the files inference jobs leave in the endpoints dir,
 * in both shapes that exist, and build the one swarmctl writes.
 *
 * Pure: takes a file name and its text, returns data. Listing the directory, reading,
 * the atomic write and the archive move live in the discovery client.
 *
 * Shapes read (../shared/formats/README.md, runbook §2.3, samples in beefcake/):
 * - runbook: `<JOBID>-fast.json` / `<JOBID>-reasoning.json` with host, port, model,
 *   started_at, health_url.
 * - beefcake-swarm scripts: `<JOBID>-<model tag>.json` (`-14b`, `-27b`, `-122b`,
 *   `-qwen35`, `-embed`...) with job_id as a STRING, host, port (number), node, tier such
 *   as `fast+coder`, `models` (list) or `model`, endpoint, models_endpoint, started_at with
 *   a local offset (`2026-04-16T08:47:55-05:00`), and more (mode, models_dir, notes...)
 *   kept in `extra`. No health_url: we derive `http://host:port/health`. These files are
 *   written BEFORE the server is healthy and removed only on SIGTERM, so a parsed record
 *   says where a server was announced, not that it is up: join with the queue and a
 *   health probe before use.
 *
 * Tiers: from the `tier` field (split on `+`), else from the file-name tag: `fast` and
 * `reasoning` name themselves, other tags go through the tier map. DEFAULT_TIER_MAP maps
 * the two model tags whose role the samples show (`14b` → fast, the 14B coder router;
 * `27b` → reasoning, the 27B distilled reasoning model) plus `embed`; sites extend it in
 * config. A record without a tier is still valid, it just matches no `--tier`.
 *
 * Normalisation: jobId is always a string (field first, file-name prefix otherwise),
 * startedAt is ISO 8601 UTC or null, baseUrl is `http://host:port` (IPv6 in brackets).
 * Problems that do not make the record unusable are listed in `warnings`.
 */
import { jsonTooDeep, MAX_JSON_DEPTH } from '../core/json-depth.js';

export const DEFAULT_TIER_MAP: Readonly<Record<string, string>> = {
  fast: 'fast',
  reasoning: 'reasoning',
  '14b': 'fast',
  '27b': 'reasoning',
  embed: 'embed',
};

export type DiscoveryShape = 'runbook' | 'beefcake' | 'swarmctl';

export interface DiscoveryRecord {
  /** File name as given (base name). */
  file: string;
  jobId: string;
  /** File-name part after `<JOBID>-` without `.json` (`fast`, `14b`), null if the name has no tag. */
  tag: string | null;
  tiers: string[];
  host: string;
  port: number;
  node: string | null;
  models: string[];
  /** First model, null when the file names none. */
  model: string | null;
  baseUrl: string;
  healthUrl: string;
  endpoint: string;
  modelsEndpoint: string;
  /** ISO 8601 UTC; null when missing or unparseable (see warnings). */
  startedAt: string | null;
  pid?: number;
  shape: DiscoveryShape;
  /** Fields we do not interpret, kept as found. */
  extra: Record<string, unknown>;
  warnings: string[];
}

export type DiscoveryParse = { ok: true; record: DiscoveryRecord } | { ok: false; reason: string };

export interface DiscoveryParseOptions {
  /** Model tag or tier name → tier(s) (`fast+coder` allowed). Default DEFAULT_TIER_MAP. */
  tierMap?: Readonly<Record<string, string>>;
}

const KNOWN_KEYS = new Set(['job_id', 'host', 'port', 'node', 'tier', 'models', 'model', 'endpoint', 'models_endpoint', 'started_at', 'health_url', 'pid']);

const MAX_FILE_CHARS = 256 * 1024;
// `local:PID`: an endpoint run as a plain process (record-job.ts), not a SLURM job.
const JOB_ID_RE = /^(?:local:)?[A-Za-z0-9_]{1,64}$/;
const FILE_RE = /^((?:local:)?[A-Za-z0-9_]{1,64})-([A-Za-z0-9_.+-]{1,64})\.json$/;
const TIER_RE = /^[A-Za-z0-9_]{1,32}$/;

/** `<JOBID>-<tag>.json` → parts (job id = text before the first `-`), else null. */
export function parseDiscoveryFileName(fileName: string): { jobId: string; tag: string } | null {
  const base = baseName(fileName);
  const m = FILE_RE.exec(base);
  if (!m || !validJobId(m[1]!)) return null;
  return { jobId: m[1]!, tag: m[2]! };
}

function baseName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function validJobId(id: string): boolean {
  return JOB_ID_RE.test(id);
}

/** Plain hostname, IPv4 or IPv6 (optionally in brackets). No scheme, path, user, port or spaces. */
export function isPlainHost(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) return host.split('.').every((o) => Number(o) <= 255);
  const v6 = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (v6.includes(':')) return isIPv6(v6);
  if (/^\d+(?:\.\d+)*$/.test(host)) return false; // digits-only but not a valid IPv4
  return /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/.test(host);
}

function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all = [...groups(dbl[0]!), ...(dbl.length === 2 ? groups(dbl[1]!) : [])];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && g.includes('.')) {
      if (!/^\d{1,3}(?:\.\d{1,3}){3}$/.test(g) || g.split('.').some((o) => Number(o) > 255)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

function urlHost(host: string): string {
  if (host.startsWith('[')) return host;
  return host.includes(':') ? `[${host}]` : host;
}

function isHttpUrl(s: string): boolean {
  if (s.length > 2048 || /[\s\x00-\x1f\x7f]/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

function splitTiers(text: string): string[] {
  return text
    .split('+')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => TIER_RE.test(t));
}

/** Parse one discovery file. Never throws; any unusable file gives `{ ok: false, reason }`. */
export function parseDiscovery(fileName: string, text: string, opts: DiscoveryParseOptions = {}): DiscoveryParse {
  const file = baseName(typeof fileName === 'string' ? fileName : '');
  if (typeof text !== 'string') return { ok: false, reason: 'no text' };
  if (text.length > MAX_FILE_CHARS) return { ok: false, reason: `file is too large (${text.length} characters)` };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, reason: 'file is empty' };
  if (jsonTooDeep(body)) return { ok: false, reason: `nested more than ${MAX_JSON_DEPTH} levels deep: not a discovery record` };
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const atEnd = pos !== null && Number(pos[1]) >= body.trimEnd().length;
    if (atEnd || /end of (JSON )?input|Unterminated/i.test(msg)) return { ok: false, reason: `truncated JSON (${msg})` };
    return { ok: false, reason: `not valid JSON (${msg})` };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, reason: `not a JSON object (got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data})` };
  }
  const o = data as Record<string, unknown>;
  const warnings: string[] = [];
  const fromName = parseDiscoveryFileName(file);
  if (fromName === null) warnings.push(`file name ${JSON.stringify(file)} is not <JOBID>-<tag>.json`);

  // host
  const hostRaw = o['host'];
  if (hostRaw === undefined || hostRaw === null || hostRaw === '') return { ok: false, reason: 'missing "host"' };
  if (typeof hostRaw !== 'string') return { ok: false, reason: `"host" is not a string (${typeof hostRaw})` };
  const host = hostRaw.trim();
  if (!isPlainHost(host)) {
    return { ok: false, reason: `"host" ${JSON.stringify(host.slice(0, 80))} is not a plain hostname or IP address` };
  }
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    warnings.push(`host ${host} is a listen-on-all address, not reachable from other machines`);
  }

  // port
  const portRaw = o['port'];
  if (portRaw === undefined || portRaw === null || portRaw === '') return { ok: false, reason: 'missing "port"' };
  let port: number;
  if (typeof portRaw === 'number') port = portRaw;
  else if (typeof portRaw === 'string' && /^\d{1,5}$/.test(portRaw.trim())) {
    port = Number(portRaw.trim());
    warnings.push('"port" is a string, expected a number');
  } else return { ok: false, reason: `"port" is not a number (${JSON.stringify(portRaw).slice(0, 40)})` };
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, reason: `"port" ${port} is out of range (1-65535)` };
  }

  // job id
  let jobId: string;
  const jid = o['job_id'];
  if (typeof jid === 'string' && validJobId(jid.trim())) jobId = jid.trim();
  else if (typeof jid === 'number' && Number.isInteger(jid) && jid > 0 && jid <= 0xffffffff) jobId = String(jid);
  else if (jid !== undefined && jid !== null) {
    if (fromName === null) return { ok: false, reason: `"job_id" ${JSON.stringify(jid).slice(0, 40)} is invalid` };
    warnings.push(`"job_id" ${JSON.stringify(jid).slice(0, 40)} is invalid; using the file name`);
    jobId = fromName.jobId;
  } else if (fromName !== null) jobId = fromName.jobId;
  else return { ok: false, reason: 'no job id: no "job_id" field and the file name is not <JOBID>-<tag>.json' };
  if (fromName !== null && fromName.jobId !== jobId) {
    warnings.push(`"job_id" ${jobId} differs from the file name's ${fromName.jobId}`);
  }

  // tiers
  const tierMap = opts.tierMap ?? DEFAULT_TIER_MAP;
  let tiers: string[] = [];
  const tierRaw = o['tier'];
  if (typeof tierRaw === 'string' && splitTiers(tierRaw).length > 0) tiers = splitTiers(tierRaw);
  else {
    if (tierRaw !== undefined && tierRaw !== null) warnings.push(`"tier" ${JSON.stringify(tierRaw).slice(0, 40)} is not usable`);
    const tag = fromName?.tag;
    if (tag !== undefined) {
      const mapped = Object.prototype.hasOwnProperty.call(tierMap, tag) ? tierMap[tag] : tag === 'fast' || tag === 'reasoning' ? tag : undefined;
      if (typeof mapped === 'string') tiers = splitTiers(mapped);
    }
    if (tiers.length === 0) warnings.push('no tier: no "tier" field and the file tag is not in the tier map');
  }
  tiers = [...new Set(tiers)];

  // models
  let models: string[] = [];
  const modelsRaw = o['models'];
  if (Array.isArray(modelsRaw)) {
    models = modelsRaw.filter((m): m is string => typeof m === 'string' && m.trim() !== '').map((m) => m.trim());
    if (models.length !== modelsRaw.length) warnings.push('"models" has entries that are not model names');
  }
  const modelRaw = o['model'];
  if (typeof modelRaw === 'string' && modelRaw.trim() !== '') {
    const m = modelRaw.trim();
    models = [m, ...models.filter((x) => x !== m)];
  }
  if (models.length === 0) warnings.push('no model named');

  const baseUrl = `http://${urlHost(host)}:${port}`;
  const urlField = (key: string, fallback: string): string => {
    const v = o[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && isHttpUrl(v.trim())) return v.trim();
    warnings.push(`"${key}" is not an http(s) URL; using ${fallback}`);
    return fallback;
  };
  const healthUrl = urlField('health_url', `${baseUrl}/health`);
  const endpoint = urlField('endpoint', `${baseUrl}/v1/chat/completions`);
  const modelsEndpoint = urlField('models_endpoint', `${baseUrl}/v1/models`);

  // started_at
  let startedAt: string | null = null;
  const sa = o['started_at'];
  if (typeof sa === 'string' && sa.trim() !== '') {
    startedAt = parseIsoTime(sa.trim());
    if (startedAt === null) warnings.push(`"started_at" ${JSON.stringify(sa).slice(0, 60)} is not a timestamp`);
  } else if (typeof sa === 'number' && Number.isFinite(sa) && sa > 0) {
    // epoch seconds (shell `date +%s`) or milliseconds
    const ms = sa < 1e11 ? sa * 1000 : sa;
    const d = new Date(ms);
    startedAt = Number.isNaN(d.getTime()) ? null : d.toISOString();
  } else warnings.push('missing "started_at"');

  let pid: number | undefined;
  const pidRaw = o['pid'];
  if (typeof pidRaw === 'number' && Number.isInteger(pidRaw) && pidRaw > 0 && pidRaw < 2 ** 31) pid = pidRaw;
  else if (pidRaw !== undefined && pidRaw !== null) warnings.push('"pid" is not a process id');

  const nodeRaw = o['node'];
  const node = typeof nodeRaw === 'string' && isPlainHost(nodeRaw.trim()) ? nodeRaw.trim() : null;

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (KNOWN_KEYS.has(k)) continue;
    Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
  }

  const shape: DiscoveryShape =
    o['health_url'] !== undefined && o['job_id'] !== undefined && pid !== undefined ? 'swarmctl' : o['health_url'] !== undefined && o['job_id'] === undefined ? 'runbook' : 'beefcake';

  const record: DiscoveryRecord = {
    file,
    jobId,
    tag: fromName?.tag ?? null,
    tiers,
    host,
    port,
    node,
    models,
    model: models[0] ?? null,
    baseUrl,
    healthUrl,
    endpoint,
    modelsEndpoint,
    startedAt,
    shape,
    extra,
    warnings,
  };
  if (pid !== undefined) record.pid = pid;
  return { ok: true, record };
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO-8601-like text → ISO UTC, null when it is not a date-time. */
function parseIsoTime(s: string): string | null {
  if (!ISO_RE.test(s)) return null;
  let t = s.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  t = t.replace(/(\.\d{3})\d+/, '$1'); // JS takes milliseconds only
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ---------------------------------------------------------------------------
// writing
// ---------------------------------------------------------------------------

export interface DiscoveryInput {
  jobId: string;
  tier: string;
  host: string;
  port: number;
  model: string;
  pid: number;
  startedAt: Date | string;
}

/** The JSON object swarmctl writes: the runbook's fields plus job_id, tier, pid and the beefcake URLs. */
export interface DiscoveryFile {
  host: string;
  port: number;
  model: string;
  started_at: string;
  health_url: string;
  job_id: string;
  tier: string;
  pid: number;
  models: string[];
  endpoint: string;
  models_endpoint: string;
}

export type DiscoveryBuild = { ok: true; record: DiscoveryFile; fileName: string } | { ok: false; reason: string };

const WRITE_TIER_RE = /^[A-Za-z0-9_]{1,32}(?:\+[A-Za-z0-9_]{1,32})*$/;

export function buildDiscoveryRecord(input: DiscoveryInput): DiscoveryBuild {
  const { jobId, tier, host, port, model, pid, startedAt } = input;
  if (typeof jobId !== 'string' || !validJobId(jobId)) {
    return { ok: false, reason: `job id ${JSON.stringify(jobId)} must be 1-64 characters of A-Z a-z 0-9 _` };
  }
  if (typeof tier !== 'string' || !WRITE_TIER_RE.test(tier)) {
    return { ok: false, reason: `tier ${JSON.stringify(tier)} must be letters, digits and _ (several joined by +)` };
  }
  if (typeof host !== 'string' || !isPlainHost(host)) {
    return { ok: false, reason: `host ${JSON.stringify(host)} is not a plain hostname or IP address` };
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${port} is out of range (1-65535)` };
  if (typeof model !== 'string' || model.trim() === '' || model.length > 256 || /[\x00-\x1f\x7f]/.test(model)) {
    return { ok: false, reason: 'model must be a non-empty name without control characters (at most 256)' };
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid >= 2 ** 31) return { ok: false, reason: `pid ${pid} is not a process id` };
  const started = startedAt instanceof Date ? startedAt : new Date(startedAt);
  if (Number.isNaN(started.getTime())) return { ok: false, reason: `started_at ${String(startedAt)} is not a time` };
  const baseUrl = `http://${urlHost(host)}:${port}`;
  const record: DiscoveryFile = {
    host,
    port,
    model: model.trim(),
    started_at: started.toISOString(),
    health_url: `${baseUrl}/health`,
    job_id: jobId,
    tier: tier.toLowerCase(),
    pid,
    models: [model.trim()],
    endpoint: `${baseUrl}/v1/chat/completions`,
    models_endpoint: `${baseUrl}/v1/models`,
  };
  return { ok: true, record, fileName: `${jobId}-${record.tier}.json` };
}

/** `<JOBID>-<tier>.json`; throws TypeError for a job id or tier that could not be read back. */
export function discoveryFileName(jobId: string, tier: string): string {
  if (typeof jobId !== 'string' || !validJobId(jobId)) throw new TypeError(`invalid job id for a discovery file: ${JSON.stringify(jobId)}`);
  if (typeof tier !== 'string' || !WRITE_TIER_RE.test(tier)) throw new TypeError(`invalid tier for a discovery file: ${JSON.stringify(tier)}`);
  return `${jobId}-${tier.toLowerCase()}.json`;
}
