// stuck-loop: the sandbox issue that loops without changing anything is diagnosed with the log
// lines that show it, its endless job stopped, and the resubmitted worker really gets the remedy.
import { needsSlurmJobs, runRecoveryDrill } from '../recovery-drill.js';
import type { Drill } from '../types.js';

export const stuckLoop: Drill = {
  name: 'stuck-loop',
  summary: 'sbx-stuck-loop changes nothing: diagnosed with evidence; recover --yes resubmits and the new worker process has the remedy',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 180,
  notApplicable: needsSlurmJobs,
  // beefcake splits a stuck loop into text mode / wrong branch; the python worker's silent run ends (no_change) only after 45 s.
  run: (ctx) => runRecoveryDrill(ctx, { issue: 'sbx-stuck-loop', kinds: ['stuck_loop', 'stuck_text_mode', 'stuck_wrong_branch'], waitMs: 90_000 }),
};
