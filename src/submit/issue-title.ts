// The issue title a swarm job gets as SWARM_ISSUE_OBJECTIVE_B64: without it the
// real orchestrator's agent sees only "See beads issue X for full spec". Taken
// from `bd show ID --json` when swarm.tracker is configured and the tracker runs,
// else from the operator's --title.
import type { ResolvedConfig } from '../config/resolve.js';
import { runLocal } from '../io/run.js';

export type TitleSource = 'tracker' | 'flag' | 'none';

/** Pure: the title in `bd show --json` output (an object, or a list of one). */
export function titleFromTrackerJson(stdout: string): string | null {
  try {
    const doc: unknown = JSON.parse(stdout);
    const obj = Array.isArray(doc) ? doc[0] : doc;
    if (obj && typeof obj === 'object' && typeof (obj as { title?: unknown }).title === 'string') {
      const t = (obj as { title: string }).title.trim();
      return t === '' ? null : t;
    }
  } catch {
    /* not JSON */
  }
  return null;
}

export async function issueTitle(cfg: ResolvedConfig, issueId: string, flagTitle?: string): Promise<{ title: string | null; source: TitleSource; note?: string }> {
  let note: string | undefined;
  if (cfg.swarm.tracker) {
    const cmd = cfg.swarm.tracker.command;
    const r = await runLocal({ argv: [cmd, 'show', issueId, '--json'], timeoutMs: cfg.slurm.command_timeout_s * 1000 });
    const title = r.ok ? titleFromTrackerJson(r.stdout) : null;
    if (title) return { title, source: 'tracker' };
    note = r.spawnError ? `${cmd} is not installed` : `${cmd} show ${issueId} gave no title`;
  }
  if (flagTitle !== undefined && flagTitle.trim() !== '') return { title: flagTitle.trim(), source: 'flag', ...(note ? { note } : {}) };
  return {
    title: null,
    source: 'none',
    note: `${note ? `${note}; ` : ''}no title (configure swarm.tracker or pass --title): the agent will only see "See beads issue ${issueId} for full spec"`,
  };
}

export function base64Title(title: string): string {
  return Buffer.from(title, 'utf8').toString('base64');
}
