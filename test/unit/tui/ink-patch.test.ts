// patches/ink+6.8.0.patch (applied by patch-package on npm install/ci) fixes
// Ink 6.8's incremental log-update: after a frame that ends in a newline (every
// console frame: it is one row shorter than the terminal) the cursor sits BELOW
// the last line, so the next frame must move up previousLines.length - 1 rows;
// stock 6.8 moves up one row less and draws every later frame one row low.
// This fails if the patch stops applying (an Ink upgrade, npm install without
// scripts): then re-check the bug upstream and regenerate or drop the patch.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../support/cluster.js';

interface LogUpdate {
  (str: string): boolean;
}

async function incremental(): Promise<{ render: LogUpdate; writes: string[] }> {
  const mod = (await import(pathToFileURL(join(REPO_ROOT, 'node_modules/ink/build/log-update.js')).href)) as { default: { create: (s: unknown, o: object) => LogUpdate } };
  const writes: string[] = [];
  const stream = { write: (s: string) => writes.push(s), isTTY: true };
  return { render: mod.default.create(stream, { incremental: true, showCursor: true }), writes };
}

describe('ink log-update (patched)', () => {
  it('moves the cursor back to the frame top when the previous frame ended in a newline', async () => {
    const { render, writes } = await incremental();
    render('a\nb\nc\n'); // three lines; cursor parks on the fourth row
    render('a\nB\nc\n');
    // Three rows up from row 3 reaches row 0, the frame's first line.
    expect(writes[1]!.startsWith('\x1b[3A')).toBe(true);
  });

  it('still moves up one row less when the previous frame had no trailing newline (fullscreen)', async () => {
    const { render, writes } = await incremental();
    render('a\nb\nc');
    render('a\nB\nc');
    expect(writes[1]!.startsWith('\x1b[2A')).toBe(true);
  });
});
