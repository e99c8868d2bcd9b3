// Global setup: tests that start real processes (the bin, store writers, the
// test server in a SLURM job) run the compiled dist/, so build it first.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  const root = new URL('../..', import.meta.url).pathname;
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
