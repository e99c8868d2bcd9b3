// Where the sandbox lives by default and where the simulators are (shipped in the repo's fixtures/sim/).
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env['XDG_STATE_HOME'] || join(env['HOME'] || homedir(), '.local', 'state');
  return join(state, 'swarmctl', 'sandbox');
}

/** The repo root: this file is dist/sandbox/paths.js or the bundle dist/bundle/*.mjs, both two levels down. */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const simDir = () => join(repoRoot(), 'fixtures', 'sim');
export const testServerMain = () => join(repoRoot(), 'dist', 'testserver', 'main.js');

/** Env for swarmctl run on the sandbox's config: its config cache in the folder, not ~/.cache (nothing outside changes). */
export function sandboxChildEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, XDG_CACHE_HOME: join(dir, 'cache') };
}
