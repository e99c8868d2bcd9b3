// Global setup: tests that start real processes (the bin, store writers, the
// test server in a SLURM job) run the compiled dist/ and the bundle the bin
// runs (dist/bundle, scripts/bundle.mjs), so build both first.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  const root = new URL('../..', import.meta.url).pathname;
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [`${root}scripts/bundle.mjs`], { cwd: root, stdio: 'inherit' });
}
