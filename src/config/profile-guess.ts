// Which orchestrator a site's files look like, for `doctor`: the Rust orchestrator writes
// `.swarm-telemetry.jsonl` (and a shared resume file) at the repo root; the Python worker
// writes only run summaries under `logs/`. Pure: what was found in, a verdict out.
import type { ProfileName } from './profile.js';

export interface ProfileEvidence {
  /** `<repo>/.swarm-telemetry.jsonl` (or paths.telemetry_file) exists. */
  telemetry: boolean;
  /** `<repo>/logs/mini-swarm/summary.jsonl` or `<repo>/logs/dogfood/dogfood-summary.jsonl` exists. */
  runSummary: boolean;
}

export interface ProfileGuess {
  profile: ProfileName | null;
  /** Why, in words an operator can check. */
  reason: string;
}

export function guessProfile(e: ProfileEvidence): ProfileGuess {
  if (e.runSummary && !e.telemetry) return { profile: 'python-worker', reason: 'a run summary is present and no telemetry file: these files look like the python worker' };
  if (e.telemetry && !e.runSummary) return { profile: 'beefcake', reason: 'a telemetry file is present and no run summary: these files look like the Rust orchestrator (beefcake)' };
  if (e.telemetry && e.runSummary) return { profile: null, reason: 'both a telemetry file and a run summary are present (a site that moved to the python worker keeps both): the newer one decides' };
  return { profile: null, reason: 'neither a telemetry file nor a run summary was found yet' };
}
