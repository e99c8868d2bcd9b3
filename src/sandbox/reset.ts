// `sandbox reset`: down, then the story's files moved aside (never deleted) into
// <dir>/.archive/reset-<time>/, then up again from the start.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { downLocked } from './down.js';

/** The files a story writes; sandbox.json and the key stay. */
const STORY_FILES = ['shared', 'run', 'bin', 'bd-sim.json', 'swarmctl.yaml', 'swarmctl.db', 'swarmctl.db-wal', 'swarmctl.db-shm'];

/** Under the folder lock (see up.ts). */
export async function resetLocked(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  await downLocked(dir, env);
  const present = STORY_FILES.filter((f) => existsSync(join(dir, f)));
  if (!present.length) return null;
  const to = join(dir, '.archive', `reset-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(to, { recursive: true });
  for (const f of present) renameSync(join(dir, f), join(to, f));
  return to;
}
