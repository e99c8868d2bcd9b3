// Shared set-up for the recovery commands (resume, telemetry, diagnose, recover,
// audit): the effective swarm profile and the issue id check, each turned into an
// operator-facing CliError (exit 64) before anything is read or run.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import type { GlobalOptions } from './context.js';
import { CliError, EXIT } from './output.js';

export async function profileOrExit(cfg: ResolvedConfig): Promise<SwarmProfile> {
  const { profileOf } = await import('../config/profile.js');
  try {
    return profileOf(cfg);
  } catch (e) {
    throw new CliError(`invalid swarm profile: ${(e as Error).message}`, EXIT.USAGE, 'fix the profile: key in the config');
  }
}

export async function issueOrExit(cfg: ResolvedConfig, issue: string): Promise<string> {
  const { validateIssueId } = await import('../config/validate.js');
  const v = validateIssueId(issue, cfg.swarm.issue_id_pattern);
  if (!v.ok) throw new CliError(`refused: ${v.reason}`, EXIT.USAGE, 'pass the issue id as the tracker shows it (bd list)');
  return issue;
}

/**
 * What every per-issue recovery command does first, in this order: load the config,
 * resolve the swarm profile, check the issue id (each failure is a CliError, exit 64).
 */
export async function issueContext(global: GlobalOptions, issue: string): Promise<{ cfg: ResolvedConfig; profile: SwarmProfile }> {
  // The profile and id-check code load while the config is read (each import() is a round trip).
  const later = Promise.all([import('../config/profile.js'), import('../config/validate.js')]);
  later.catch(() => undefined); // awaited again below, by profileOrExit and issueOrExit
  const { loadConfigOrExit } = await import('./context.js');
  const cfg = await loadConfigOrExit(global);
  await later.catch(() => undefined);
  const profile = await profileOrExit(cfg);
  await issueOrExit(cfg, issue);
  return { cfg, profile };
}
