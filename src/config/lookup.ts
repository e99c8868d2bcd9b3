// The config lookup order, as data (pure apart from nothing: no fs here):
//   --config PATH, $SWARMCTL_CONFIG, ./swarmctl.yaml,
//   $XDG_CONFIG_HOME/swarmctl/config.yaml (~/.config when unset), /etc/swarmctl/config.yaml
// Kept apart from load.ts so the fast path (config-fast.ts) finds the file
// without loading the YAML parser and zod.
import { join, resolve } from 'node:path';

export interface LookupEnv {
  explicit?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

export interface Candidate {
  path: string;
  /** Where this candidate came from, for "tried ..." messages. */
  origin: string;
  /** An explicit choice must exist; it never falls through to the next one. */
  explicit: boolean;
}

export function candidatePaths({ explicit, env, cwd, home }: LookupEnv): Candidate[] {
  if (explicit) return [{ path: resolve(cwd, explicit), origin: '--config', explicit: true }];
  if (env['SWARMCTL_CONFIG']) return [{ path: resolve(cwd, env['SWARMCTL_CONFIG']), origin: '$SWARMCTL_CONFIG', explicit: true }];
  const xdg = env['XDG_CONFIG_HOME'] || join(home, '.config');
  return [
    { path: join(cwd, 'swarmctl.yaml'), origin: './swarmctl.yaml', explicit: false },
    { path: join(xdg, 'swarmctl', 'config.yaml'), origin: '$XDG_CONFIG_HOME', explicit: false },
    { path: '/etc/swarmctl/config.yaml', origin: '/etc', explicit: false },
  ];
}
