// Finds and reads the config file in the documented order:
//   --config PATH, $SWARMCTL_CONFIG, ./swarmctl.yaml,
//   $XDG_CONFIG_HOME/swarmctl/config.yaml (~/.config when unset), /etc/swarmctl/config.yaml
// The lookup itself is pure (`candidatePaths`); this file adds the fs reads.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { MiB, readRegularFileSync, SafeReadError } from '../core/safe-read.js';
import { parseConfigText, type ConfigProblem, type ParseOutcome } from './parse.js';

export { candidatePaths, type Candidate, type LookupEnv } from './lookup.js';
import { candidatePaths } from './lookup.js';

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ConfigError';
  }
}

/** A config larger than this is not read (the 38,700-service bench config is 5 MB). */
export const MAX_CONFIG_BYTES = 32 * MiB;

export function loadConfigFile(path: string): ParseOutcome {
  let text: string;
  try {
    text = readRegularFileSync(path, { what: 'config', limit: MAX_CONFIG_BYTES }).toString('utf8');
  } catch (e) {
    if (e instanceof SafeReadError) return { ok: false, problems: [{ file: path, key: '', message: e.message }] };
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, problems: [{ file: path, key: '', message: `cannot read the config: ${why}` }] };
  }
  return parseConfigText(text, path, homedir());
}

/** Finds the config by the lookup order and parses it; every failure is a ConfigProblem. */
export function findAndLoadConfig(explicit?: string): ParseOutcome & { path?: string } {
  const candidates = candidatePaths({ explicit, env: process.env, cwd: process.cwd(), home: homedir() });
  for (const c of candidates) {
    if (c.explicit || existsSync(c.path)) return { ...loadConfigFile(c.path), path: c.path };
  }
  return {
    ok: false,
    problems: [
      {
        file: '(no config)',
        key: '',
        message: `no config found; tried ${candidates.map((c) => c.path).join(', ')}. ` + 'Pass --config PATH, set SWARMCTL_CONFIG, or copy fixtures/config/beefcake.yaml to ./swarmctl.yaml',
      },
    ],
  };
}
