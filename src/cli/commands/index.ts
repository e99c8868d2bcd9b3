// The list of commands. Each module only DEFINES its command (options, help,
// examples) and imports its implementation inside the action, so adding a
// command here costs startup almost nothing.
import type { Command } from 'commander';
import { register as config } from './config.js';
import { register as doctor } from './doctor.js';

export function registerAll(program: Command): void {
  for (const register of [config, doctor]) register(program);
}
