// The sandbox's story: which simulated issues run, what each one goes through, per profile.
// Pure data: the console and recovery have one of each incident to show and fix.

export interface SimIssue {
  id: string;
  title: string;
  /** What the simulator is told to do (SIM_OUTCOME). */
  outcome: string;
  /** Extra environment for the simulator. */
  env: Record<string, string>;
}

export function storyFor(profile: 'beefcake' | 'python-worker' | 'runbook'): SimIssue[] {
  if (profile === 'python-worker')
    return [
      // The python worker prints nothing mid-run: its "stuck loop" is a run that never ends.
      { id: 'sbx-stuck-loop', title: 'worker that never finishes (silent run)', outcome: 'no_change', env: { SIM_SECONDS: '86400' } },
      { id: 'sbx-parse-500', title: 'hits the 500 parse failure', outcome: 'parse_failure', env: { SIM_SECONDS: '3' } },
      { id: 'sbx-cloud-fail', title: 'cloud model asked for without SWARM_USE_CLOUD', outcome: 'cloud_no_flag', env: { SIM_SECONDS: '3' } },
      { id: 'sbx-resolved', title: 'resolves', outcome: 'resolved', env: { SIM_SECONDS: '3' } },
    ];
  return [
    { id: 'sbx-stuck-loop', title: 'falls into a no-change loop', outcome: 'stuck_loop', env: {} },
    { id: 'sbx-parse-500', title: 'hits the 500 parse failure', outcome: 'parse_failure', env: {} },
    { id: 'sbx-cloud-fail', title: 'cloud escalation fails', outcome: 'cloud_failure', env: {} },
    { id: 'sbx-resolved', title: 'resolves', outcome: 'resolved', env: {} },
  ];
}
