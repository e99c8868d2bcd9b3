// The nodes section of the endpoints view: sinfo's nodes (one per node, whatever
// its partitions) as endpoint rows under the services, with the state and the
// drain reason. Pure: sinfo's parsed lines in, rows out.
import type { ProbeStatus } from '../core/probe.js';
import type { NodeInfo } from '../slurm/states.js';

/** One SLURM node as the console shows it. */
export interface NodeState {
  name: string;
  /** sinfo's StateLong (`idle`, `drained`, `draining`, `down*`). */
  state: string;
  reason: string | null;
  partitions: string[];
  /** drained or draining: takes no new jobs; `U` resumes it. */
  drained: boolean;
  down: boolean;
}

/** The row shape the endpoints panel draws (structurally an EndpointRow). */
export interface NodeEndpointRow {
  name: string;
  kind: 'slurm node';
  status: ProbeStatus;
  latencyMs: null;
  since: null;
  reason: string;
  node: NodeState;
}

/** One entry per node: its partitions joined; an unusable line wins (a node drained in one partition is drained). */
export function nodeStates(all: readonly NodeInfo[]): NodeState[] {
  const by = new Map<string, NodeState>();
  for (const n of all) {
    const prev = by.get(n.node);
    const partitions = [...(prev?.partitions ?? []), n.partition].filter((p, i, a) => p && a.indexOf(p) === i);
    if (prev && !n.unavailable) {
      prev.partitions = partitions;
      continue;
    }
    by.set(n.node, { name: n.node, state: n.stateRaw, reason: n.reason, partitions, drained: n.drained || n.draining, down: n.down || n.notResponding || n.failing });
  }
  return [...by.values()];
}

export function nodeRow(n: NodeState): NodeEndpointRow {
  const status: ProbeStatus = n.down ? 'down' : n.drained ? 'degraded' : /^(idle|mixed|allocated|completing|alloc|mix)/.test(n.state) ? 'up' : 'unknown';
  return { name: n.name, kind: 'slurm node', status, latencyMs: null, since: null, reason: `${n.state}${n.reason ? `: ${n.reason}` : ''}`, node: n };
}

/** sinfo's long state in the few cells of a status column (`allocated` → `alloc`). */
export function shortState(state: string): string {
  return state.replace(/^allocated/, 'alloc').replace(/^completing/, 'comp');
}

/** The alert shape (structurally an AlertRow; view-model imports this file, not the other way). */
export interface NodeAlert {
  severity: 'warn' | 'crit';
  source: string;
  message: string;
  since: null;
  target: { panel: 'endpoints'; key: string };
}

/** A drained or down node is an alert with its reason, so it shows in every layout (the reason column may not fit). */
export function nodeAlerts(nodes: unknown, readOnly = false): NodeAlert[] {
  if (!Array.isArray(nodes)) return [];
  const out: NodeAlert[] = [];
  for (const n of nodes as NodeState[]) {
    if (!n.drained && !n.down) continue;
    const keys = readOnly ? 'Enter: details' : 'Enter; U resumes';
    out.push({
      severity: n.down ? 'crit' : 'warn',
      source: 'nodes',
      message: `node ${n.name} ${n.state}: ${n.reason ?? 'no reason given'} (${keys})`,
      since: null,
      target: { panel: 'endpoints', key: n.name },
    });
  }
  return out;
}

let last: { rows: readonly unknown[]; nodes: unknown; out: readonly unknown[] } | null = null;

/**
 * The services' rows, then one row per node. The result keeps its identity while
 * neither input changed, so the endpoints panel's memo still skips idle frames.
 */
export function withNodes<T>(rows: readonly T[], nodes: unknown): Array<T | NodeEndpointRow> {
  if (!Array.isArray(nodes) || nodes.length === 0) return rows as Array<T | NodeEndpointRow>;
  if (last && last.rows === rows && last.nodes === nodes) return last.out as Array<T | NodeEndpointRow>;
  const out = [...rows, ...(nodes as NodeState[]).map(nodeRow)];
  last = { rows, nodes, out };
  return out;
}
