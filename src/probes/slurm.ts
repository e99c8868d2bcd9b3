// SLURM probe: `scontrol ping` first (it answers at once, "is UP"/"is DOWN", even
// with slurmctld dead — every other client call then takes ~9 s to fail), and only
// when the controller is up, `sinfo` node states: down/drained/failing nodes are
// listed with their reason. Some nodes unusable → degraded; none usable → down.
import type { NamedService } from '../config/resolve.js';
import { runSlurm } from '../batch/slurm-run.js';
import { oneLine } from './llama-classify.js';
import { deadline, elapsedSince, type ProbeContext } from './context.js';
import type { ProbeResult } from './types.js';

export interface NodeState {
  node: string;
  state: string;
  reason: string;
}

const BAD_STATE = /^(down|drain|drained|draining|fail|failing|not_responding|no_respond|unknown|inval|future|power_down|powered_down)/i;

/** Pure: `sinfo -h -N -o %N|%T|%E` lines → node states (deduplicated by node). */
export function parseSinfoNodes(text: string): NodeState[] {
  const seen = new Map<string, NodeState>();
  for (const line of text.split('\n')) {
    const [node, state, ...rest] = line.trim().split('|');
    if (!node || !state) continue;
    seen.set(node, { node, state, reason: rest.join('|').trim() });
  }
  return [...seen.values()];
}

export function isBadNode(n: NodeState): boolean {
  return BAD_STATE.test(n.state.replace(/[*~#!%$@^-]+$/, '')) || n.state.endsWith('*');
}

/** Pure: the verdict from `scontrol ping` output. */
export function parsePing(out: string): { up: boolean; line: string } | undefined {
  const line = out.split('\n').find((l) => /Slurmctld/i.test(l))?.trim();
  if (line === undefined) return undefined;
  return { up: /is UP/i.test(line), line };
}

export async function probeSlurm(_svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  const left = deadline(ctx.timeoutMs);
  const started = performance.now();
  const ping = await runSlurm(ctx.cfg, ['scontrol', 'ping'], { timeoutMs: left() });
  const verdict = parsePing(`${ping.stdout}\n${ping.stderr}`);
  if (verdict === undefined) {
    const why = ping.timedOut ? 'no answer' : ping.spawnError ?? (ping.stderr.trim().split('\n').pop() || `exit ${ping.exitCode}`);
    return { status: 'down', reason: `scontrol ping: ${oneLine(why, 160)}`, latencyMs: elapsedSince(started) };
  }
  if (!verdict.up) return { status: 'down', reason: oneLine(verdict.line), latencyMs: elapsedSince(started), details: { controller: 'down' } };
  const pingMs = elapsedSince(started);
  const si = await runSlurm(ctx.cfg, ['sinfo', '-h', '-N', '-o', '%N|%T|%E'], { timeoutMs: left() });
  if (!si.ok) {
    return { status: 'degraded', reason: `controller up, sinfo failed: ${oneLine(si.timedOut ? 'no answer' : si.stderr.trim() || `exit ${si.exitCode}`, 120)}`, latencyMs: pingMs, details: { controller: 'up' } };
  }
  const nodes = parseSinfoNodes(si.stdout);
  const bad = nodes.filter(isBadNode);
  const details: Record<string, unknown> = { controller: 'up', nodes: nodes.length, badNodes: bad };
  const latencyMs = elapsedSince(started);
  if (nodes.length === 0) return { status: 'degraded', reason: 'controller up, sinfo lists no nodes', latencyMs, details };
  if (bad.length === 0) return { status: 'up', reason: `controller up, ${nodes.length} node${nodes.length === 1 ? '' : 's'} ok`, latencyMs, details };
  const list = bad.map((n) => `${n.node} ${n.state}${n.reason && n.reason !== 'none' ? ` (${n.reason})` : ''}`).join(', ');
  const status = bad.length === nodes.length ? 'down' : 'degraded';
  return { status, reason: oneLine(`${bad.length} of ${nodes.length} nodes unusable: ${list}`), latencyMs, details };
}
