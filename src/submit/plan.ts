// Pure: the exact sbatch argv and job environment for one issue. Values never go
// into --export= (sbatch splits it on commas, so `X=a,SWARM_USE_CLOUD=0` would
// inject a variable): --export lists NAMES only, after ALL, and the values travel
// in sbatch's own process environment, which the caller builds clean (with ALL,
// the caller's environment would otherwise win).
export interface SbatchPlanInput {
  jobName: string;
  issueId: string;
  logsDir: string;
  script: string;
  /** Arguments for the script: the swarm command with {issue} substituted (may be empty). */
  command: readonly string[];
  partition?: string;
  dependsOn?: string;
  hold?: boolean;
  /** Job variables (SWARM_ISSUE_ID and the title are added here). */
  env: Readonly<Record<string, string>>;
  titleB64?: string;
  configPath?: string;
  /** swarmctl for the wrapper's failure hook. */
  swarmctlBin?: string;
}

export interface SbatchPlan {
  argv: string[];
  env: Record<string, string>;
  envNames: string[];
}

export function substituteIssue(command: readonly string[], issueId: string): string[] {
  return command.map((w) => w.split('{issue}').join(issueId));
}

export function planSbatch(p: SbatchPlanInput): SbatchPlan {
  const env: Record<string, string> = { ...p.env, SWARM_ISSUE_ID: p.issueId };
  if (p.titleB64 !== undefined) env['SWARM_ISSUE_OBJECTIVE_B64'] = p.titleB64;
  if (p.configPath) env['SWARMCTL_CONFIG'] = p.configPath;
  if (p.swarmctlBin) env['SWARMCTL_BIN'] = p.swarmctlBin;
  const forward = Object.keys(env)
    .filter((k) => k.startsWith('SWARM_'))
    .sort();
  // Names the wrapper forwards into `apptainer exec --cleanenv` (names only).
  env['SWARM_FORWARD_ENV'] = forward.join(',');
  const envNames = Object.keys(env).sort();
  const argv = ['sbatch', '--parsable', `--job-name=${p.jobName}`, `--output=${p.logsDir}/swarm-orch-%j.log`, '--open-mode=append'];
  if (p.partition) argv.push(`--partition=${p.partition}`);
  if (p.dependsOn) argv.push(`--dependency=afterany:${p.dependsOn}`);
  if (p.hold) argv.push('--hold');
  argv.push(`--export=ALL,${envNames.join(',')}`, p.script, ...p.command);
  return { argv, env, envNames };
}
