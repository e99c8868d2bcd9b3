// The list of commands. Each module only DEFINES its command (options, help,
// examples) and imports its implementation inside the action. Definitions are
// registered per command name: `swarmctl queue --json` sets up only `queue`
// (job wrappers call swarmctl in a loop, and commander's set-up of every
// definition is paid on each call). They are static imports because
// the bundle (scripts/bundle.mjs) then keeps them in its main file: each
// extra module costs more to resolve and load than the small definition. `queue --help`
// needs only `queue`. Top-level help, an unknown command, or no command at all
// register everything, so commander's usage listing and its "unknown command"
// handling see the whole program.
import type { Command } from 'commander';
import { register as config } from './config.js';
import { register as doctor } from './doctor.js';
import { register as history } from './history.js';
import { register as probe } from './probe.js';
import { register as smoke } from './smoke.js';
import { register as diagnose } from './diagnose.js';
import { register as recover } from './recover.js';
import { register as cloudKey } from './cloud-key.js';
import { register as audit } from './audit.js';
import { register as resume } from './resume.js';
import { register as telemetry } from './telemetry.js';
import { register as submit } from './submit.js';
import { register as queue } from './queue.js';
import { register as cancel } from './cancel.js';
import { register as job } from './job.js';
import { register as discovery } from './discovery.js';
import { register as endpoints } from './endpoints.js';
import { register as tui } from './tui.js';
import { register as restart } from './restart.js';
import { register as lock } from './lock.js';
import { register as node } from './node.js';
import { register as sandbox } from './sandbox.js';
import { register as drill } from './drill.js';

type Register = (program: Command) => void;

/** Top-level command names → the function that defines them. Order is the help order. */
export const COMMANDS: ReadonlyArray<readonly [names: readonly string[], register: Register]> = [
  [['config'], config],
  [['doctor'], doctor],
  [['resume'], resume],
  [['telemetry'], telemetry],
  [['diagnose'], diagnose],
  [['recover'], recover],
  [['cloud-key'], cloudKey],
  [['audit'], audit],
  [['probe'], probe],
  [['smoke'], smoke],
  [['history'], history],
  [['submit'], submit],
  [['queue'], queue],
  [['cancel'], cancel],
  [['job'], job],
  [['discovery'], discovery],
  [['endpoints'], endpoints],
  [['restart'], restart],
  [['lock'], lock],
  [['node'], node],
  [['sandbox'], sandbox],
  [['drill'], drill],
  [['tui', 'status'], tui],
];

/**
 * Defines what `argv` needs: only its command when it names a known one;
 * nothing for a bare `--version`; everything otherwise (help, typos).
 */
export function registerFor(program: Command, name: string | undefined, versionOnly: boolean): void {
  if (versionOnly) return;
  const one = name !== undefined ? COMMANDS.find(([names]) => names.includes(name)) : undefined;
  for (const [, register] of one ? [one] : COMMANDS) register(program);
}
