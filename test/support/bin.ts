// Runs the real swarmctl binary (bin/swarmctl -> dist/) as an operator or a
// job wrapper would, and captures what it printed and how it exited.
import { execFile } from 'node:child_process';
import { REPO_ROOT } from './cluster.js';

export const BIN = `${REPO_ROOT}/bin/swarmctl`;
export const LOOPBACK_CONFIG = `${REPO_ROOT}/fixtures/config/loopback.yaml`;

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runBin(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<BinResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: opts.timeoutMs ?? 60_000, cwd: opts.cwd ?? REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 2) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
