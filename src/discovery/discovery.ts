// Endpoint discovery on the shared folder: write a record only once the server
// answers /health, remove it, list every record joined with the queue and a
// health probe, archive stale ones (never delete), and resolve a tier to the best
// live URL. Parsing both file shapes is discovery-parse.ts (pure).
//
// Status of a record:
//   live      its job is in the queue and /health answers 200
//   unhealthy its job is in the queue, /health does not answer 200
//   stale     a good queue read does not list its job (finished, killed, aged out)
//   unknown   the queue could not be read (controller down): health is still probed
//   invalid   the file cannot be used (truncated, not JSON, fields missing): reason given
// resolve uses live records, and when the controller is down, `unknown` records whose
// health answers (the server is plainly there); never invalid, stale or unhealthy ones.
//
// gc moves with moveToArchive's real-path guard: a record that is a symlink leading
// out of endpoints_dir, or an archive folder that does, is refused (nothing moved),
// so a planted link cannot make gc move or write anything outside the share.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { httpRequest } from '../io/http.js';
import { MiB, readRegularFile, SafeReadError } from '../core/safe-read.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { moveToArchive, realPathUnder } from '../io/archive.js';
import { buildDiscoveryRecord, DEFAULT_TIER_MAP, discoveryFileName, parseDiscovery, type DiscoveryInput, type DiscoveryRecord } from './parse.js';
import { UsageError } from '../core/usage-error.js';
import { readQueue } from '../slurm/queue.js';
import { hostname } from 'node:os';
import { recordJob } from './record-job.js';
import { pidAlive } from '../io/proc.js';

export async function checkHealth(url: string, timeoutMs: number): Promise<{ ok: boolean; loading?: boolean; detail: string; latencyMs: number | null }> {
  const r = await httpRequest({ url, timeoutMs, maxBodyBytes: 4096 });
  if (r.status === 200) return { ok: true, detail: 'HTTP 200', latencyMs: r.latencyMs };
  // llama-server answers every route 503 "Loading model" while its model loads: progress, not failure.
  if (r.status === 503 && /loading model/i.test(r.body ?? '')) return { ok: false, loading: true, detail: 'HTTP 503 Loading model', latencyMs: r.latencyMs };
  return { ok: false, detail: r.status === null ? (r.error?.message ?? 'no answer') : `HTTP ${r.status}`, latencyMs: r.latencyMs };
}

/** Poll /health until it answers 200 or the deadline passes; then write the record atomically. */
export async function writeDiscovery(cfg: ResolvedConfig, input: DiscoveryInput, opts: { waitMs: number; pollMs?: number }): Promise<{ ok: boolean; path: string; error?: string; record?: unknown }> {
  const b = buildDiscoveryRecord(input);
  if (!b.ok) throw new UsageError(b.reason);
  const path = join(cfg.paths.endpoints_dir, b.fileName);
  const dirError = await ensureEndpointsDir(cfg.paths.endpoints_dir);
  if (dirError) return { ok: false, path, error: dirError };
  const deadline = Date.now() + opts.waitMs;
  let last = '';
  for (;;) {
    const left = deadline - Date.now();
    const h = await checkHealth(b.record.health_url, Math.max(200, Math.min(5000, left)));
    if (h.ok) break;
    last = h.detail;
    if (Date.now() + (opts.pollMs ?? 500) > deadline) {
      return { ok: false, path, error: `${b.record.health_url} not healthy within ${Math.round(opts.waitMs / 1000)} s (last: ${last}); no record written` };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
  await writeFileAtomic(path, `${JSON.stringify(b.record, null, 2)}\n`);
  return { ok: true, path, record: b.record };
}

/**
 * Creates the endpoints dir when missing (the first job on a new share), but only
 * inside a parent that exists: a missing parent usually means the share is not
 * mounted, and a record written to the local disk under the mount point would be
 * seen by no one. Returns an error to show, or null.
 */
async function ensureEndpointsDir(dir: string): Promise<string | null> {
  try {
    await mkdir(dir, { mode: 0o755 });
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return null;
    if (code === 'ENOENT') return `endpoints dir ${dir} does not exist and neither does its parent ${dirname(dir)}: is the share mounted? (create it: mkdir -p ${dir}); no record written`;
    return `cannot create endpoints dir ${dir}: ${(e as Error).message}; no record written`;
  }
}

export async function removeDiscovery(cfg: ResolvedConfig, jobId: string, tier: string): Promise<{ removed: boolean; path: string }> {
  let name: string;
  try {
    name = discoveryFileName(jobId, tier);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const path = join(cfg.paths.endpoints_dir, name);
  try {
    await unlink(path);
    return { removed: true, path };
  } catch {
    return { removed: false, path };
  }
}

export type EndpointStatus = 'live' | 'unhealthy' | 'stale' | 'unknown' | 'invalid';

export interface EndpointEntry {
  file: string;
  status: EndpointStatus;
  reason: string;
  record?: DiscoveryRecord;
  url?: string;
  healthy?: boolean;
  latencyMs?: number | null;
}

export function tierMap(cfg: ResolvedConfig): Record<string, string> {
  return { ...DEFAULT_TIER_MAP, ...cfg.swarm.tier_map };
}

/** A discovery record is a few hundred bytes; anything over this is not one. */
export const MAX_RECORD_BYTES = MiB;

/** Every `*.json` in the endpoints dir (temp files of atomic writes start with `.`). */
export async function readDiscoveryDir(cfg: ResolvedConfig): Promise<{ ok: true; files: { file: string; parsed: ReturnType<typeof parseDiscovery> }[] } | { ok: false; error: string }> {
  let names: string[];
  try {
    names = (await readdir(cfg.paths.endpoints_dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (e) {
    return { ok: false, error: `cannot read ${cfg.paths.endpoints_dir}: ${(e as Error).message}` };
  }
  const map = tierMap(cfg);
  const files = await Promise.all(
    names.map(async (file) => {
      // A record that is a symlink leading out of the endpoints dir is not read: `resolve`
      // would otherwise hand jobs a URL from a file anyone could place outside the share.
      const real = await realPathUnder(cfg.paths.endpoints_dir, join(cfg.paths.endpoints_dir, file));
      if (!real.ok) return { file, parsed: { ok: false as const, reason: `refused: ${real.reason}; not read` } };
      try {
        // Links that stay inside endpoints_dir are allowed (realPathUnder), so no O_NOFOLLOW here.
        const text = (await readRegularFile(real.path, { what: 'discovery record', limit: MAX_RECORD_BYTES })).toString('utf8');
        return { file, parsed: parseDiscovery(file, text, { tierMap: map }) };
      } catch (e) {
        if (e instanceof SafeReadError) return { file, parsed: { ok: false as const, reason: e.message } };
        return { file, parsed: { ok: false as const, reason: `unreadable: ${(e as Error).message}` } };
      }
    }),
  );
  return { ok: true, files };
}

export async function listEndpoints(cfg: ResolvedConfig, store: Store): Promise<{ ok: boolean; entries: EndpointEntry[]; queueError?: string; error?: string }> {
  const dir = await readDiscoveryDir(cfg);
  if (!dir.ok) return { ok: false, entries: [], error: dir.error };
  const q = await readQueue(cfg, store, { all: true, slurmOnly: true });
  const activeIds = new Set(q.jobs.filter((j) => j.active).map((j) => j.jobId.split(/[_+]/)[0]!));
  const timeoutMs = cfg.thresholds.probe_timeout_s * 1000;
  const entries = await Promise.all(
    dir.files.map(async ({ file, parsed }): Promise<EndpointEntry> => {
      if (!parsed.ok) return { file, status: 'invalid', reason: parsed.reason };
      const rec = parsed.record;
      const base = { file, record: rec, url: rec.baseUrl };
      const job = recordJob(rec, { activeIds: q.ok ? activeIds : null, hostName: hostname(), pidAlive });
      if (job.state === 'gone') return { ...base, status: 'stale', reason: job.reason };
      const h = await checkHealth(rec.healthUrl, timeoutMs);
      if (job.state === 'unknown') {
        const why = q.ok ? job.reason : `queue unknown (${q.error ?? 'squeue failed'})`;
        return { ...base, status: 'unknown', reason: `${why}; health ${h.detail}`, healthy: h.ok, latencyMs: h.latencyMs };
      }
      return { ...base, status: h.ok ? 'live' : 'unhealthy', reason: `${job.reason}; health ${h.detail}`, healthy: h.ok, latencyMs: h.latencyMs };
    }),
  );
  return { ok: q.ok, entries, ...(q.ok ? {} : { queueError: q.error ?? 'squeue failed' }) };
}

/** Move stale records to <archive_dir>/endpoints/ (never delete), audited. */
export async function gcEndpoints(
  cfg: ResolvedConfig,
  store: Store,
  opts: { dryRun?: boolean } = {},
): Promise<{ ok: boolean; moved: { from: string; to: string }[]; wouldMove: string[]; error?: string }> {
  const l = await listEndpoints(cfg, store);
  if (l.error) return { ok: false, moved: [], wouldMove: [], error: l.error };
  if (!l.ok) return { ok: false, moved: [], wouldMove: [], error: `queue unknown, nothing is stale for sure: ${l.queueError}` };
  const stale = l.entries.filter((e) => e.status === 'stale');
  // Records refused by the real-path check (symlinks leading out) are not moved either:
  // said, and audited, so a planted link is noticed.
  const refused = l.entries.filter((e) => e.status === 'invalid' && e.reason.startsWith('refused: ')).map((e) => `${e.reason}, left in place`);
  if (opts.dryRun) return { ok: refused.length === 0, moved: [], wouldMove: stale.map((e) => e.file), ...(refused.length ? { error: refused.join('; ') } : {}) };
  const moved: { from: string; to: string }[] = [];
  const errors: string[] = [...refused];
  for (const r of refused) recordAudit(store, { action: 'endpoints:gc', outcome: 'failed', detail: r });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const e of stale) {
    const from = join(cfg.paths.endpoints_dir, e.file);
    const to = join(cfg.paths.archive_dir, 'endpoints', `${stamp}-${e.file}`);
    const m = await moveToArchive(from, to, { fromRoot: cfg.paths.endpoints_dir, toRoot: cfg.paths.archive_dir });
    const error = m.refused ? `${m.error}; nothing moved` : (m.error ?? `cannot move ${from}`);
    // m.to, not `to`: moveToArchive picks a free name when `to` is taken.
    if (m.ok) moved.push({ from, to: m.to });
    else errors.push(error);
    // A refused move archived nothing, so its audit row names no archive destination.
    recordAudit(store, { action: 'endpoints:gc', ...(m.refused ? {} : { archived: { from, to: m.to } }), outcome: m.ok ? 'ok' : 'failed', detail: m.ok ? e.reason : error });
  }
  return { ok: errors.length === 0, moved, wouldMove: [], ...(errors.length ? { error: errors.join('; ') } : {}) };
}

export async function resolveTier(
  cfg: ResolvedConfig,
  store: Store,
  tier: string,
): Promise<{ url: string | null; source: 'live' | 'unknown-healthy' | 'fallback' | 'none'; file?: string; candidates: number }> {
  const l = await listEndpoints(cfg, store);
  const want = tier.toLowerCase();
  const ofTier = l.entries.filter((e) => e.record && e.record.tiers.includes(want));
  const newest = (a: EndpointEntry, b: EndpointEntry) => (b.record?.startedAt ?? '').localeCompare(a.record?.startedAt ?? '');
  const live = ofTier.filter((e) => e.status === 'live').sort(newest);
  if (live[0]) return { url: live[0].url!, source: 'live', file: live[0].file, candidates: ofTier.length };
  const unk = ofTier.filter((e) => e.status === 'unknown' && e.healthy).sort(newest);
  if (unk[0]) return { url: unk[0].url!, source: 'unknown-healthy', file: unk[0].file, candidates: ofTier.length };
  const fb = cfg.swarm.fallback_urls[want];
  if (fb) return { url: fb, source: 'fallback', candidates: ofTier.length };
  return { url: null, source: 'none', candidates: ofTier.length };
}
