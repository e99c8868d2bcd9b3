// The header line as data (pure): which parts, in what order, and which go
// first when the terminal is narrow. The critical alert count and the queue's
// STALE marker are never dropped; endpoint and job counts and the tab hint are.
// Endpoint counts use the table's own status symbols, one count per symbol, so
// the header and the Endpoints rows always agree.
import { STATUS_SYMBOL, type ProbeStatus } from '../core/probe.js';
import { formatAge, type ConsoleView, type PanelId } from '../console/view-model.js';
import { displayWidth } from './layout.js';

export interface HeaderPart {
  text: string;
  color?: string;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
}

interface Group {
  parts: HeaderPart[];
  /** Dropped from the highest up while the line is too wide; 0 is never dropped. */
  drop: number;
}

/** Status order of the endpoint counts (the table's symbols; up and down always shown). */
const ORDER: ProbeStatus[] = ['up', 'down', 'loading', 'degraded', 'unknown'];
const COLOR: Record<ProbeStatus, string> = { up: 'green', down: 'red', loading: 'cyan', degraded: 'yellow', unknown: 'gray' };

/** Services per status, as the Endpoints panel lists them; its SLURM node rows are not endpoints. */
export function endpointCounts(view: Pick<ConsoleView, 'endpoints'>): Record<ProbeStatus, number> {
  const c: Record<ProbeStatus, number> = { up: 0, down: 0, loading: 0, degraded: 0, unknown: 0 };
  for (const e of view.endpoints.rows) if (e.kind !== 'slurm node') c[e.status]++;
  return c;
}

export function headerParts(view: ConsoleView, o: { clusterName: string; readOnly: boolean; layoutMode: string; focused: PanelId; columns: number }): HeaderPart[] {
  const crit = view.alerts.rows.filter((a) => a.severity === 'crit').length;
  const counts = endpointCounts(view);
  const running = view.queue.rows.filter((j) => j.state === 'RUNNING').length;
  const pending = view.queue.rows.filter((j) => j.state === 'PENDING').length;
  const q = view.queue.health;
  const groups: Group[] = [
    { drop: 0, parts: [{ text: ' swarmctl ', bold: true, inverse: true }, { text: ' ' }, { text: o.clusterName, bold: true }] },
    { drop: 0, parts: [{ text: '  alerts ' }, crit ? { text: `${crit} crit`, color: 'red', bold: true } : { text: '0 crit', color: 'green' }] },
    ...(q.stale ? [{ drop: 0, parts: [{ text: `  queue STALE${q.ageMs === null ? '' : ` ${formatAge(q.ageMs)}`}`, color: 'yellow', bold: true }] }] : []),
    ...(o.readOnly ? [{ drop: 0, parts: [{ text: '  READ-ONLY', color: 'yellow' }] }] : []),
    {
      drop: 2,
      parts: [{ text: '  endpoints' }, ...ORDER.filter((s) => s === 'up' || s === 'down' || counts[s] > 0).map((s) => ({ text: ` ${STATUS_SYMBOL[s]}${counts[s]}`, color: COLOR[s] }))],
    },
    { drop: 3, parts: [{ text: `  jobs ${running} running ${pending} pending` }] },
    ...(o.layoutMode === 'tabs' ? [{ drop: 4, parts: [{ text: ` [${o.focused}] Tab/1-5 switch`, dim: true }] }] : []),
  ];
  const width = (gs: Group[]) => gs.reduce((s, g) => s + g.parts.reduce((t, p) => t + displayWidth(p.text), 0), 0);
  let kept = groups;
  while (width(kept) > o.columns) {
    const worst = Math.max(...kept.map((g) => g.drop));
    if (worst === 0) break;
    kept = kept.filter((g) => g.drop !== worst);
  }
  const parts = kept.flatMap((g) => g.parts);
  // Still too wide: the cluster name gives way (it is the one free-length part before the counts).
  const over = width(kept) - o.columns;
  const name = parts[2]!;
  if (over > 0 && displayWidth(name.text) > 1) {
    const keep = Math.max(1, displayWidth(name.text) - over - 1);
    parts[2] = { ...name, text: `${name.text.slice(0, keep)}…` };
  }
  return parts;
}
