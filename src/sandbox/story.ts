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
      // The python worker prints nothing mid-run: its stuck loop is a long silent run that ends
      // having changed nothing (mini-swe-agent's LimitsExceeded, DONE status=no_change), which is
      // what diagnose calls stuck_loop and `recover` (and the stuck-loop drill) can act on. 45 s:
      // the console shows it running a while first.
      { id: 'sbx-stuck-loop', title: 'silent run that changes nothing (stuck loop)', outcome: 'no_change', env: { SIM_SECONDS: '45' } },
      { id: 'sbx-parse-500', title: 'hits the 500 parse failure', outcome: 'parse_failure', env: { SIM_SECONDS: '3' } },
      { id: 'sbx-cloud-fail', title: 'cloud model asked for without SWARM_USE_CLOUD', outcome: 'cloud_no_flag', env: { SIM_SECONDS: '3' } },
      { id: 'sbx-resolved', title: 'resolves', outcome: 'resolved', env: { SIM_SECONDS: '3' } },
    ];
  // SIM_SECONDS: the story's own pace (the config's longer default is for runs it did not script).
  return [
    { id: 'sbx-stuck-loop', title: 'falls into a no-change loop', outcome: 'stuck_loop', env: {} },
    { id: 'sbx-parse-500', title: 'hits the 500 parse failure', outcome: 'parse_failure', env: { SIM_SECONDS: '1.5' } },
    { id: 'sbx-cloud-fail', title: 'cloud escalation fails', outcome: 'cloud_failure', env: { SIM_SECONDS: '1.5' } },
    { id: 'sbx-resolved', title: 'resolves', outcome: 'resolved', env: { SIM_SECONDS: '1.5' } },
  ];
}
