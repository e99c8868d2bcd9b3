// SSH host probe: `true` over ssh (BatchMode, ConnectTimeout, shared ControlMaster
// via io/run.ts), then the optional process_check (e.g. [pgrep, -af, llama-server])
// on the same host. Reachable without the process → degraded; unreachable → down.
import type { NamedService } from '../config/resolve.js';
import { describeFailure, isSshTransportFailure, runOnHost } from '../io/run.js';
import { oneLine } from './classify-common.js';
import { deadline, elapsedSince, type ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';

export async function probeSshHost(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const hostName = svc.host;
  if (hostName === undefined) return { status: 'unknown', reason: 'no host configured', latencyMs: null };
  const host = ctx.cfg.hosts[hostName];
  if (host === undefined) return { status: 'unknown', reason: `host ${hostName} is not in hosts:`, latencyMs: null };
  const left = deadline(ctx.timeoutMs);
  const started = performance.now();
  const ssh = { connectTimeoutS: Math.max(1, Math.floor(ctx.timeoutMs / 1000)) };
  const r = await runOnHost(host, { argv: ['true'], timeoutMs: left() }, ssh);
  const details: Record<string, unknown> = { host: hostName, address: host.address };
  if (!r.ok) {
    const why = r.timedOut ? `no answer in ${Math.round(ctx.timeoutMs / 1000)} s` : oneLine(r.stderr.trim().split('\n').pop() || describeFailure(r), 160);
    return { status: 'down', reason: `ssh to ${host.address}: ${why}`, latencyMs: elapsedSince(started), details };
  }
  const sshMs = elapsedSince(started);
  if (svc.process_check === undefined) return { status: 'up', reason: 'ssh ok', latencyMs: sshMs, details };
  const pc = await runOnHost(host, { argv: svc.process_check, timeoutMs: left() }, ssh);
  const latencyMs = elapsedSince(started);
  const what = svc.process_check.join(' ');
  if (pc.ok) {
    const first = oneLine(pc.stdout.trim().split('\n')[0] ?? '', 100);
    details['processes'] = pc.stdout.trim() === '' ? 0 : pc.stdout.trim().split('\n').length;
    return { status: 'up', reason: `ssh ok; ${what}: ${first || 'ok'}`, latencyMs, details };
  }
  if (isSshTransportFailure(pc)) return { status: 'down', reason: `ssh to ${host.address} failed during the process check`, latencyMs, details };
  return { status: 'degraded', reason: `ssh ok, but ${what} failed (exit ${pc.exitCode ?? pc.signal})`, latencyMs, details };
}
