// systemd unit probe (the python worker's dogfood-loop service, a proxy run as a user unit):
// `systemctl [--user] is-active UNIT` on the service's host over SSH (or here), and when the
// unit is not active, its last journal lines as details for the operator.
import type { NamedService } from '../config/resolve.js';
import { runLocal, runOnHost, type RunResult, type RunSpec } from '../io/run.js';
import { deadline, elapsedSince, type ProbeContext } from './context.js';
import { classifyIsActive } from './systemd-classify.js';
import type { ProbeResult } from '../core/probe.js';

const JOURNAL_LINES = 10;

export async function probeSystemd(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const unit = svc.unit;
  if (unit === undefined) return { status: 'unknown', reason: 'no unit configured', latencyMs: null };
  const host = svc.host !== undefined ? ctx.cfg.hosts[svc.host] : undefined;
  if (svc.host !== undefined && host === undefined) return { status: 'unknown', reason: `host ${svc.host} is not in hosts:`, latencyMs: null };
  const left = deadline(ctx.timeoutMs);
  const started = performance.now();
  const ssh = { connectTimeoutS: Math.max(1, Math.floor(ctx.timeoutMs / 1000)) };
  const run = (argv: string[]): Promise<RunResult> => {
    const spec: RunSpec = { argv, timeoutMs: left(), maxBuffer: 64 * 1024 };
    return host ? runOnHost(host, spec, ssh) : runLocal(spec);
  };
  const user = svc.user_unit ? ['--user'] : [];
  const r = await run(['systemctl', ...user, 'is-active', unit]);
  const details: Record<string, unknown> = { unit, ...(svc.host ? { host: svc.host } : {}), ...(svc.user_unit ? { user: true } : {}) };
  if (r.timedOut) return { status: 'down', reason: `systemctl is-active ${unit}: no answer in ${Math.round(ctx.timeoutMs / 1000)} s`, latencyMs: elapsedSince(started), details };
  if (host && r.exitCode === 255) return { status: 'down', reason: `ssh to ${host.address} failed: ${r.stderr.trim().split('\n').pop() ?? ''}`, latencyMs: elapsedSince(started), details };
  const c = classifyIsActive(r.stdout, r.stderr, r.exitCode, unit);
  if (c.status === 'down' || c.status === 'degraded') {
    const j = await run(['journalctl', ...user, '-u', unit, '-n', String(JOURNAL_LINES), '--no-pager', '-o', 'cat']);
    if (j.ok)
      details['journal'] = j.stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(-JOURNAL_LINES);
  }
  return { ...c, latencyMs: elapsedSince(started), details };
}
