// Drain or resume one SLURM node and audit it: what `swarmctl node drain|resume`
// and the console's D/U keys both run, so the two record the same audit row.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { runSlurm } from '../slurm/run.js';
import { describeFailure, type RunResult } from '../io/run.js';
import { nodeStateArgv } from './node-state.js';

export async function updateNodeState(
  cfg: ResolvedConfig,
  store: Store,
  node: string,
  state: 'drain' | 'resume',
  reason?: string,
): Promise<{ argv: string[]; result: RunResult; error: string | null }> {
  const argv = nodeStateArgv(node, state, reason);
  const result = await runSlurm(cfg, argv);
  const error = result.ok ? null : describeFailure(result);
  recordAudit(store, { action: `node.${state}`, argv, outcome: result.ok ? 'ok' : 'failed', detail: error ?? `${node}${reason ? `: ${reason}` : ''}` });
  return { argv, result, error };
}
