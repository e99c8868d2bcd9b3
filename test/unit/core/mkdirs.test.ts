// mkdir -p that always returns: nested levels made with their mode, an existing tree left as
// it is, a file in the way and a path under /proc (where Node 20's recursive mkdir loops)
// answered at once with the error.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdirs } from '../../../src/core/mkdirs.js';

describe('mkdirs', () => {
  it('makes every missing level with the mode, and again is a no-op', () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-mkdirs-'));
    const deep = join(root, 'a', 'b', 'c');
    mkdirs(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    expect(() => mkdirs(deep, 0o700)).not.toThrow();
  });

  it('a file in the way is ENOTDIR; under /proc it fails at once (Node 20 recursive mkdir spins there)', () => {
    const root = mkdtempSync(join(tmpdir(), 'swarmctl-mkdirs-'));
    writeFileSync(join(root, 'f'), '');
    expect(() => mkdirs(join(root, 'f', 'x'))).toThrow(/ENOTDIR/);
    const t0 = Date.now();
    expect(() => mkdirs('/proc/swarmctl-nope/x')).toThrow(/ENOENT|EACCES|EPERM/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
