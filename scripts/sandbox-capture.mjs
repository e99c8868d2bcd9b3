#!/usr/bin/env node
// Captures the console on a fresh sandbox at 120x36 from the real binary, through tmux, into
// docs/sandbox-console.txt and the README's capture block, and measures the time from
// `swarmctl sandbox up --tui` to a screen with live data (the fast endpoint up and an issue row).
//   node scripts/sandbox-capture.mjs [--profile beefcake|python-worker] [--settle-s N]
// Uses a throwaway sandbox folder and XDG dirs; stops the sandbox and its tmux session at the end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const profile = arg('--profile', 'beefcake');
const settleMs = Number(arg('--settle-s', '6')) * 1000;
const tmp = mkdtempSync(join(tmpdir(), 'swarmctl-capture-'));
const dir = join(tmp, 'sandbox');
const session = `swarmctl-capture-${process.pid}`;
const env = { XDG_STATE_HOME: join(tmp, 'state'), XDG_CACHE_HOME: join(tmp, 'cache'), XDG_CONFIG_HOME: join(tmp, 'config') };
const tmux = (...a) => execFileSync('tmux', a, { encoding: 'utf8' });
const bin = join(repo, 'bin', 'swarmctl');

const envArgs = Object.entries({ ...env, ...(process.env.SLURM_CONF ? { SLURM_CONF: process.env.SLURM_CONF } : {}) }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
const t0 = Date.now();
// tmux runs the command given as several words directly (execvp), no shell string.
tmux('new-session', '-d', '-x', '120', '-y', '36', '-s', session, ...envArgs, bin, 'sandbox', 'up', '--dir', dir, '--profile', profile, '--tui');
let screen = '';
let liveMs = null;
try {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', session);
    if (/✓ up\s+fast\b/.test(screen) && /sbx-[a-z0-9-]+/.test(screen.split('Issues')[1] ?? '')) {
      liveMs = Date.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (liveMs === null) throw new Error(`no live data on the console within 90 s; last screen:\n${screen}`);
  await new Promise((r) => setTimeout(r, settleMs));
  screen = tmux('capture-pane', '-p', '-t', session);
} finally {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    /* already gone */
  }
  execFileSync(process.execPath, [bin, 'sandbox', 'down', '--dir', dir], { env: { ...process.env, ...env }, stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
}
const text = screen.replace(/\s+$/gm, '').trimEnd() + '\n';
writeFileSync(join(repo, 'docs', 'sandbox-console.txt'), text);
const readme = join(repo, 'README.md');
const block = /(<!-- sandbox-capture:start -->\n)[\s\S]*?(<!-- sandbox-capture:end -->)/;
const note = `\`swarmctl sandbox up --tui\` (${profile}), captured at 120x36 by \`node scripts/sandbox-capture.mjs\`; live data after ${(liveMs / 1000).toFixed(1)} s:`;
writeFileSync(readme, readFileSync(readme, 'utf8').replace(block, `$1${note}\n\n\`\`\`text\n${text}\`\`\`\n$2`));
process.stdout.write(`${JSON.stringify({ live_data_s: Math.round(liveMs / 100) / 10, profile, capture: 'docs/sandbox-console.txt' })}\n`);
