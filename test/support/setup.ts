import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Ink writes only the last frame when CI is set; tests want every frame.
delete process.env['CI'];
process.env['NO_COLOR'] = '1';

// Test runs never write into the real ~/.cache or ~/.local/state: the config cache,
// the default state database and anything a spawned binary writes there land in a
// temp dir per test file (children inherit process.env).
const xdg = mkdtempSync(join(tmpdir(), 'swarmctl-test-xdg-'));
process.env['XDG_CACHE_HOME'] = join(xdg, 'cache');
process.env['XDG_STATE_HOME'] = join(xdg, 'state');
afterAll(() => rmSync(xdg, { recursive: true, force: true }));
