// The real binary's command routing and exit codes (no cluster needed).
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';

describe('swarmctl binary', () => {
  it('an unknown command is a usage error, exit 64', async () => {
    const r = await runBin(['nosuchcmd']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("unknown command 'nosuchcmd'");
  });
  it('plain swarmctl off a terminal prints the status (here: the config error), never the console', async () => {
    const r = await runBin(['--config', '/nonexistent/swarmctl.yaml']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('printing the status instead');
    expect(r.stderr).toContain('/nonexistent/swarmctl.yaml: cannot read the config: no such file');
  });
  it('--version and --help exit 0; --help lists the exit codes', async () => {
    expect((await runBin(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runBin(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('64   usage or config error');
  });
});
