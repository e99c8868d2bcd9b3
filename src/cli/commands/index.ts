// The list of commands. Each module only DEFINES its command (options, help,
// examples) and imports its implementation inside the action, so adding a
// command here costs startup almost nothing.
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

export function registerAll(program: Command): void {
  for (const register of [config, doctor, resume, telemetry, diagnose, recover, cloudKey, audit, probe, smoke, history, submit, queue, cancel, job, discovery, endpoints, tui]) register(program);
}
