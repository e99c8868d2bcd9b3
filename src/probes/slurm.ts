// SLURM probe: `scontrol ping` first (it answers at once, "is UP"/"is DOWN", even
// with slurmctld dead — every other client call then takes ~9 s to fail), and only
// when the controller is up, `sinfo` node states: down/drained/failing nodes are
// listed with their reason. Some nodes unusable → degraded; none usable → down.
import type { NamedService } from '../config/resolve.js';
import { runSlurm } from '../slurm/run.js';
import { oneLine } from './classify-common.js';
import { deadline, elapsedSince, type ProbeContext } from './context.js';
import type { ProbeResult, ProbeStatus } from '../core/probe.js';
// The pure SLURM parsers of slurm/ (control-character delimited, column-checked).
import { parseScontrolPing, parseSinfoNodes, sinfoArgs, type NodeInfo } from '../slurm/states.js';

/** Pure: the probe's verdict on sinfo's nodes (one entry per node, whatever its partitions). */
export function nodesVerdict(all: readonly NodeInfo[]): { status: ProbeStatus; reason: string; details: Record<string, unknown> } {
  const byNode = new Map<string, NodeInfo>();
  for (const n of all) if (!byNode.has(n.node) || n.unavailable) byNode.set(n.node, n);
  const nodes = [...byNode.values()];
  const bad = nodes.filter((n) => n.unavailable);
  const details: Record<string, unknown> = { controller: 'up', nodes: nodes.length, badNodes: bad.map((n) => ({ node: n.node, state: n.stateRaw, reason: n.reason })) };
  if (nodes.length === 0) return { status: 'degraded', reason: 'controller up, sinfo lists no nodes', details };
  if (bad.length === 0) return { status: 'up', reason: `controller up, ${nodes.length} node${nodes.length === 1 ? '' : 's'} ok`, details };
  const list = bad.map((n) => `${n.node} ${n.stateRaw}${n.reason ? ` (${n.reason})` : ''}`).join(', ');
  return { status: bad.length === nodes.length ? 'down' : 'degraded', reason: oneLine(`${bad.length} of ${nodes.length} nodes unusable: ${list}`), details };
}

export async function probeSlurm(_svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const left = deadline(ctx.timeoutMs);
  const started = performance.now();
  const ping = await runSlurm(ctx.cfg, ['scontrol', 'ping'], { timeoutMs: left() });
  const verdict = parseScontrolPing(ping.stdout);
  if (verdict === null || verdict.controllers.length === 0) {
    const why = ping.timedOut ? 'no answer' : (ping.spawnError ?? (ping.stderr.trim().split('\n').pop() || `exit ${ping.exitCode}`));
    return { status: 'down', reason: `scontrol ping: ${oneLine(why, 160)}`, latencyMs: elapsedSince(started) };
  }
  if (!verdict.anyUp) {
    const line =
      ping.stdout
        .split('\n')
        .find((l) => /Slurmctld/i.test(l))
        ?.trim() ?? 'controller DOWN';
    return { status: 'down', reason: oneLine(line), latencyMs: elapsedSince(started), details: { controller: 'down' } };
  }
  const pingMs = elapsedSince(started);
  const si = await runSlurm(ctx.cfg, ['sinfo', ...sinfoArgs()], { timeoutMs: left() });
  if (!si.ok) {
    return {
      status: 'degraded',
      reason: `controller up, sinfo failed: ${oneLine(si.timedOut ? 'no answer' : si.stderr.trim() || `exit ${si.exitCode}`, 120)}`,
      latencyMs: pingMs,
      details: { controller: 'up' },
    };
  }
  const v = nodesVerdict(parseSinfoNodes(si.stdout).nodes);
  return { ...v, latencyMs: elapsedSince(started) };
}
