// The console's drain and resume (D, U on a node row): the scontrol argv first,
// shown in the y/N dialog, then the same audited update `swarmctl node` runs.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import type { ActionPlan } from './actions.js';
import type { NodeState } from './node-rows.js';
import { NODE_NAME, nodeStateArgv } from '../restart/node-state.js';
import { updateNodeState } from '../restart/node-update.js';

export function planNodeState(cfg: ResolvedConfig, store: Store, node: NodeState, state: 'drain' | 'resume', reason?: string): ActionPlan | string {
  if (!NODE_NAME.test(node.name)) return `${state} ${node.name}: not a node name swarmctl acts on`;
  const why = reason?.trim();
  if (state === 'drain' && !why) return `drain ${node.name}: a reason is needed (SLURM requires one, and the next operator needs it)`;
  if (state === 'resume' && !node.drained && !node.down) return `resume ${node.name}: it is ${node.state}, not drained or down: nothing to resume`;
  return {
    id: `node-${state}:${node.name}`,
    title: state === 'drain' ? `drain node ${node.name}` : `resume node ${node.name}`,
    commands: [nodeStateArgv(node.name, state, why)],
    notes: [
      `node ${node.name}: now ${node.state}${node.reason ? ` (${node.reason})` : ''}${node.partitions.length ? `, partitions ${node.partitions.join(', ')}` : ''}`,
      state === 'drain' ? 'running jobs finish; no new job starts there until it is resumed' : 'new jobs may start there again',
      `audited as node.${state} (as swarmctl node ${state})`,
    ],
    run: async () => {
      const r = await updateNodeState(cfg, store, node.name, state, why);
      return r.error ? { ok: false, detail: r.error } : { ok: true, detail: state === 'drain' ? `${node.name} draining (${why})` : `${node.name} resumed` };
    },
  };
}
