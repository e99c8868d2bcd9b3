// What `swarmctl probe`, `swarmctl smoke` and `swarmctl history` do (their command
// files in commands/ only define options and import this lazily).
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { CliError, EXIT, exitCodeFor, noColor, printJson, printJsonLine, say, usageError } from './output.js';
import type { GlobalOptions } from './context.js';
import { STATUS_SYMBOL, type ProbeStatus } from '../core/probe.js';
import type { SweepSnapshot } from '../probes/probe-all.js';

function checkNames(cfg: ResolvedConfig, names: readonly string[], filter?: (kind: string) => boolean): void {
  const unknown = names.filter((n) => cfg.services[n] === undefined || (filter !== undefined && !filter(cfg.services[n].kind)));
  if (unknown.length) {
    const known = Object.values(cfg.services)
      .filter((s) => filter === undefined || filter(s.kind))
      .map((s) => s.name);
    throw usageError(`unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `known: ${known.join(', ') || '(none)'}`);
  }
}

async function painter(): Promise<(s: ProbeStatus, t: string) => string> {
  if (noColor() || !process.stdout.isTTY) return (_s, t) => t;
  const { default: chalk } = await import('chalk');
  const c = { up: chalk.green, loading: chalk.cyan, degraded: chalk.yellow, down: chalk.red, unknown: chalk.gray };
  return (s, t) => c[s](t);
}

async function webhookFor(cfg: ResolvedConfig) {
  if (!cfg.webhook) return undefined;
  const { WebhookSender } = await import('../probes/webhook.js');
  return new WebhookSender(cfg.webhook, { warn: (line) => say(line, true) });
}

/**
 * While it runs, the probe command owns SIGTERM and SIGINT (main.ts's handlers
 * exit at once and would silently drop the transitions queued for the webhook):
 * the first signal ends a watch after its sweep, so what was recorded is still
 * POSTed; any other signal (a one-shot, during those POSTs, a second one) gives
 * up on them, each reported, and exits at once as before.
 */
function takeOverSignals(graceful: () => boolean, onStop: () => void, onGiveUp: () => void): { signal: () => NodeJS.Signals | undefined; restore: () => void } {
  const names: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  const saved = new Map(names.map((n) => [n, process.listeners(n)]));
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (got !== undefined || !graceful()) {
      onGiveUp();
      process.exit(sig === 'SIGINT' ? EXIT.INTERRUPTED : 143);
    }
    got = sig;
    onStop();
  };
  for (const n of names) {
    process.removeAllListeners(n);
    process.on(n, handler);
  }
  return {
    signal: () => got,
    restore: () => {
      for (const n of names) {
        process.off(n, handler);
        for (const l of saved.get(n) ?? []) process.on(n, l as NodeJS.SignalsListener);
      }
    },
  };
}

export interface ProbeOpts {
  json?: boolean;
  prom?: boolean;
  watch?: boolean;
  all?: boolean;
}

export async function runProbeCommand(names: string[], opts: ProbeOpts, cmd: Command): Promise<void> {
  const { loadConfigOrExit, openStoreFor } = await import('./context.js');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const cfg = await loadConfigOrExit(global);
  checkNames(cfg, names);
  if (opts.json && opts.prom) throw usageError('--json and --prom exclude each other');
  const store: Store = await openStoreFor(global, cfg);
  const { probeAll } = await import('../probes/probe-all.js');
  // The first sweep starts before the renderers and the webhook load: they
  // are ready by the time the probes come back (the slowest waits a whole
  // timeout), so a one-shot probe costs little more than its timeout.
  const first = probeAll(cfg, store, { only: names });
  first.catch(() => undefined); // awaited in the loop; only keeps a failure from counting as unhandled meanwhile
  let webhook: Awaited<ReturnType<typeof webhookFor>>;
  let wake: () => void = () => undefined;
  let closing = false;
  const signals = takeOverSignals(
    () => opts.watch === true && !closing,
    () => wake(),
    () => webhook?.abandon('given up on a signal'),
  );
  try {
    const { renderTable, jsonDocument, renderProm } = await import('./probe-render.js');
    const { nextIntervalS } = await import('../probes/scheduler.js');
    const { pruneProbeHistory } = await import('../store/probe-history.js');
    const paint = await painter();
    webhook = await webhookFor(cfg);
    for (let sweep: Promise<SweepSnapshot> = first; ;) {
      const snap = await sweep;
      // The first sweep ran before the webhook was loaded: hand it its transitions now.
      if (sweep === first && webhook) for (const t of snap.transitions) webhook.enqueue(t);
      const code = exitCodeFor(snap.services.map((s) => s.status));
      if (opts.prom) process.stdout.write(renderProm(snap));
      else if (opts.json && opts.watch) printJsonLine(jsonDocument(snap));
      else if (opts.json) printJson(jsonDocument(snap));
      else say(`${renderTable(snap, paint, Date.now(), { all: opts.all === true })}\n`);
      process.exitCode = code;
      if (sweep === first) pruneProbeHistory(store, cfg.thresholds.history_retention_days);
      if (!opts.watch || signals.signal()) break;
      const wait = nextIntervalS(
        snap.services.map((s) => s.status),
        cfg.thresholds,
      );
      let t: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => ((wake = r), (t = setTimeout(r, wait * 1000))));
      clearTimeout(t);
      if (signals.signal()) break;
      sweep = probeAll(cfg, store, { only: names, ...(webhook ? { webhook } : {}) });
    }
  } finally {
    closing = true;
    // Only this process will ever POST what its sweeps recorded: wait while the
    // receiver keeps accepting (a busy host may need longer than one timeout).
    await webhook?.close(cfg.webhook ? cfg.webhook.timeout_s * 1000 : 0);
    await first.catch(() => undefined); // never close the store under a sweep still writing
    store.close();
    const sig = signals.signal();
    signals.restore();
    if (sig !== undefined) process.exitCode = sig === 'SIGINT' ? EXIT.INTERRUPTED : 143;
  }
}

export async function runSmokeCommand(names: string[], opts: { json?: boolean; timeout?: string }, cmd: Command): Promise<void> {
  const { loadConfigOrExit } = await import('./context.js');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const cfg = await loadConfigOrExit(global);
  const smokeable = (k: string) => k === 'llama-server' || k === 'vllm' || k === 'openai-proxy';
  checkNames(cfg, names, smokeable);
  const services = names.length ? names.map((n) => cfg.services[n]!) : Object.values(cfg.services).filter((s) => smokeable(s.kind));
  const timeoutS = opts.timeout !== undefined ? Number(opts.timeout) : Math.max(30, cfg.thresholds.probe_timeout_s);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw usageError(`--timeout wants seconds, got ${opts.timeout}`);
  const { probeSmoke } = await import('../probes/smoke.js');
  const { runSweep } = await import('../probes/scheduler.js');

  const paint = await painter();
  const started = new Date().toISOString();
  const items = await runSweep(services, (svc, t) => probeSmoke(svc, { timeoutMs: t, cfg }), { concurrency: cfg.thresholds.probe_concurrency, timeoutMsFor: () => timeoutS * 1000 });
  const rows = items.map((i) => ({
    name: i.service.name,
    kind: i.service.kind,
    status: i.result.status,
    latency_ms: i.result.latencyMs,
    reason: i.result.reason,
    ...(i.result.details ? { details: i.result.details } : {}),
  }));
  const code = exitCodeFor(rows.map((r) => r.status));
  if (opts.json) printJson({ checked_at: started, services: rows, summary: { total: rows.length, exit_code: code } });
  else
    for (const r of rows)
      say(`${paint(r.status, `${STATUS_SYMBOL[r.status]}  ${r.name.padEnd(16)} ${r.status.padEnd(8)}`)} ${r.latency_ms === null ? '-' : `${Math.round(r.latency_ms)} ms`}  ${r.reason}`);
  if (rows.length === 0) say('no llama-server, vllm or openai-proxy services configured', opts.json);
  process.exitCode = code;
}

export async function runHistoryCommand(service: string | undefined, opts: { json?: boolean; since?: string }, cmd: Command): Promise<void> {
  const { loadConfigOrExit, openStoreFor } = await import('./context.js');
  const { parseSince, summarize } = await import('../probes/history-summary.js');
  const { readResults, readTransitions } = await import('../store/probe-history.js');
  const global = cmd.optsWithGlobals<GlobalOptions>();
  const cfg = await loadConfigOrExit(global);
  if (service !== undefined) checkNames(cfg, [service]);
  const sinceMs = parseSince(opts.since ?? '24h');
  if (sinceMs === undefined) throw usageError(`--since wants a duration like 30m, 24h, 7d; got "${opts.since}"`);
  const store = await openStoreFor(global, cfg);
  try {
    const from = Date.now() - sinceMs;
    const hist = summarize(readResults(store.db, from, service), readTransitions(store.db, from, service));
    if (opts.json) {
      printJson({ since: new Date(from).toISOString(), services: hist });
      return;
    }
    if (hist.length === 0) say(`no probe history since ${new Date(from).toISOString()} (run: swarmctl probe)`);
    for (const h of hist) {
      const l = h.latency_ms;
      const f = (x: number | null) => (x === null ? '-' : `${Math.round(x)}`);
      say(`${h.service} (${h.kind}): ${h.uptime_percent ?? '-'}% up over ${h.checks} checks; latency ms p50 ${f(l.p50)} p95 ${f(l.p95)} p99 ${f(l.p99)}`);
      for (const t of h.transitions) say(`  ${t.at}  ${t.from ?? '(new)'} → ${t.to}  ${t.reason}`);
    }
  } finally {
    store.close();
  }
}

export { CliError, EXIT };
