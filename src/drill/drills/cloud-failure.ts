// cloud-failure: the sandbox issue whose cloud escalation fails is diagnosed (and checked against
// the proxy as it is now), and the resubmitted worker runs on local models as the remedy says.
import { needsSlurmJobs, runRecoveryDrill } from '../recovery-drill.js';
import type { Drill } from '../types.js';

export const cloudFailure: Drill = {
  name: 'cloud-failure',
  summary: 'sbx-cloud-fail cannot use the cloud: diagnosed with evidence; recover --yes resubmits and the new worker process has the local-model remedy',
  profiles: ['beefcake', 'python-worker', 'runbook'],
  timeoutS: 150,
  notApplicable: needsSlurmJobs,
  run: (ctx) => runRecoveryDrill(ctx, { issue: 'sbx-cloud-fail', kinds: ['cloud_escalation_failed'], waitMs: 60_000 }),
};
