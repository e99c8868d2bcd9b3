// A failure drill (seed 000): break one thing in a running sandbox, watch swarmctl notice and fix
// it through the real binary, say PASS or FAIL with what was observed, and put things back.
import type { SandboxState } from '../sandbox/records.js';

export type DrillProfile = SandboxState['profile'];

/** One `swarmctl …` run of the built binary against the sandbox's config. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface DrillContext {
  /** The sandbox folder and its generated swarmctl.yaml. */
  dir: string;
  config: string;
  state: SandboxState;
  /** Environment for every child (SLURM_CONF, PATH with the sandbox's bd first, …). */
  env: NodeJS.ProcessEnv;
  /** Runs `swarmctl --config <config> ...args` (the built binary; `config` overrides, e.g. a drill's copy); never throws on a non-zero exit. */
  swarmctl(args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number; config?: string }): Promise<CliRun>;
  /** The argv of that same run ([node, bin/swarmctl, --config, config, ...args]), for a drill that spawns it itself (long-running). */
  swarmctlArgv(args: string[], config?: string): string[];
  /** Aborted when the drill's time bound passes (or on Ctrl-C): stop waiting, the cleanups run next. */
  signal: AbortSignal;
  /** Records one observation line (what was seen, with figures); shown under PASS/FAIL. */
  observe(line: string): void;
  /** Registers an undo step, run (last first) after the drill whatever its outcome. */
  cleanup(step: () => Promise<void> | void): void;
}

export interface Drill {
  name: string;
  /** One line: what breaks and what must happen. */
  summary: string;
  /** Profiles the drill applies to; elsewhere it is reported as not applicable (not a pass). */
  profiles: readonly DrillProfile[];
  /** Time bound in seconds (default 120): past it the drill FAILs and its cleanups run. */
  timeoutS?: number;
  /** When set and it returns a string, the drill is not applicable here for that reason (e.g. jobs mode local). */
  notApplicable?(state: SandboxState): string | null;
  /** Resolves true on PASS; a thrown error is a FAIL with its message observed. */
  run(ctx: DrillContext): Promise<boolean>;
}

export interface DrillResult {
  name: string;
  status: 'pass' | 'fail' | 'not_applicable';
  observed: string[];
  ms: number;
}
