// parse-failure: the sandbox issue whose server answers 500 "Failed to parse input" is diagnosed
// as output_parse_failure (not a context overflow), and the resubmitted worker gets the remedy.
import { needsSlurmJobs, runRecoveryDrill } from '../recovery-drill.js';
import type { Drill } from '../types.js';

export const parseFailure: Drill = {
  name: 'parse-failure',
  summary: 'sbx-parse-500 hits the 500 parse failure: diagnosed with evidence; recover --yes resubmits and the new worker process has the remedy',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 150,
  notApplicable: needsSlurmJobs,
  run: (ctx) => runRecoveryDrill(ctx, { issue: 'sbx-parse-500', kinds: ['output_parse_failure'], waitMs: 60_000 }),
};
