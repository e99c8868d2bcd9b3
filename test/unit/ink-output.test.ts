// src/tui/ink-output.ts against Ink's own build/output.js: for random frames
// (styled text, wide characters, newlines, clips, transformers, rows and columns
// out of range), both classes must produce the same text. Frames are drawn in
// sequences, so the cross-frame caches are exercised with hits and misses.
// Also: the bundle plugin refuses an Ink version the replacement was not written for.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Output, { cachedRowCount, clearOutputCaches, INK_VERSION } from '../../src/tui/ink-output.js';

const root = join(import.meta.dirname, '..', '..');
type OutputLike = { write(x: number, y: number, text: string, o: { transformers: ((l: string, i: number) => string)[] }): void; clip(c: object): void; unclip(): void; get(): { output: string; height: number } };
const { default: InkOutput } = (await import(pathToFileURL(join(root, 'node_modules/ink/build/output.js')).href)) as { default: new (o: { width: number; height: number }) => OutputLike };

const TOKENS = ['a', 'b', 'Z', ' ', '·', 'é', '漢', '😀', '\x1b[31m', '\x1b[39m', '\x1b[1m', '\x1b[22m', '\x1b[42m', '\x1b[49m', '\x1b[0m', '\x1b[2m', '\n'];
const text = fc.array(fc.constantFrom(...TOKENS), { minLength: 0, maxLength: 24 }).map((t) => t.join(''));
const coord = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -3, max: 30 }) }, { weight: 1, arbitrary: fc.constantFrom(0.5, 2.5) });
const TRANSFORMERS = [(l: string) => l.toUpperCase(), (l: string, i: number) => `${i}>${l}`, (l: string) => `\x1b[4m${l}\x1b[24m`];
const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('write' as const), x: coord, y: coord, text, t: fc.subarray([0, 1, 2], { maxLength: 2 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('clip' as const),
      clip: fc.record({ x1: fc.option(fc.integer({ min: -2, max: 20 }), { nil: undefined, freq: 5 }), x2: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined, freq: 5 }), y1: fc.option(fc.integer({ min: -2, max: 8 }), { nil: undefined, freq: 5 }), y2: fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined, freq: 5 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'unclip' as const }) },
);
const frame = fc.record({ width: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(7.5)), height: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(3.5)), ops: fc.array(op, { maxLength: 20 }) });
type Frame = typeof frame extends fc.Arbitrary<infer F> ? F : never;

function draw(Cls: new (o: { width: number; height: number }) => OutputLike, f: Frame): { output: string; height: number } {
  const o = new Cls({ width: f.width, height: f.height });
  for (const p of f.ops) {
    if (p.type === 'write') o.write(p.x, p.y, p.text, { transformers: p.t.map((i) => TRANSFORMERS[i]!) });
    else if (p.type === 'clip') o.clip(p.clip);
    else o.unclip();
  }
  return o.get();
}

describe('ink-output: the same frames as Ink 6.8 Output', () => {
  it('is written for the installed Ink', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules/ink/package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe(INK_VERSION);
  });

  it('random frames, in sequences that share the caches', () => {
    clearOutputCaches();
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 4 }), (frames) => {
        // Each frame twice: the second time every row comes from the cache.
        for (const f of [...frames, ...frames]) expect(draw(Output, f)).toEqual(draw(InkOutput, f));
      }),
      { numRuns: 1000 },
    );
  });

  it('a console-like frame: styled columns, one cell changes between frames', () => {
    clearOutputCaches();
    const f = (n: number): Frame => ({
      width: 60,
      height: 6,
      ops: [
        { type: 'clip', clip: { x1: 0, x2: 60, y1: 0, y2: 6 } },
        ...Array.from({ length: 6 }, (_, y) => ({ type: 'write' as const, x: 0, y, text: `\x1b[32m✓\x1b[39m svc-${y}`, t: [] })),
        ...Array.from({ length: 6 }, (_, y) => ({ type: 'write' as const, x: 20, y, text: y === 2 ? `\x1b[1m${n}\x1b[22m ms` : '12 ms', t: [] })),
        { type: 'unclip' },
      ],
    });
    expect(draw(Output, f(1))).toEqual(draw(InkOutput, f(1)));
    expect(cachedRowCount()).toBe(6);
    // The next frame changes one cell: one new row is built, five come from the cache.
    expect(draw(Output, f(2))).toEqual(draw(InkOutput, f(2)));
    expect(cachedRowCount()).toBe(7);
    expect(draw(Output, f(2)).output.split('\n')[2]).toContain('\x1b[1m2\x1b[22m ms');
  });
});

describe('scripts/ink-output-plugin.mjs', () => {
  it('the shipped bundle (dist/bundle, built by the test setup) has the replacement, not Ink\'s class', () => {
    const dir = join(root, 'dist', 'bundle');
    const chunks = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(chunks.some((c) => c.includes('BoundedCache = class'))).toBe(true);
    expect(chunks.some((c) => c.includes('class OutputCaches'))).toBe(false);
  });


  it('refuses to bundle an Ink the replacement was not written for', async () => {
    const { build } = await import('esbuild');
    const { inkOutputPlugin } = (await import(pathToFileURL(join(root, 'scripts/ink-output-plugin.mjs')).href)) as { inkOutputPlugin: (o?: { replacement?: string }) => import('esbuild').Plugin };
    const dir = mkdtempSync(join(tmpdir(), 'swarmctl-inkplug-'));
    const fake = join(dir, 'fake-output.mjs');
    writeFileSync(fake, "export const INK_VERSION = '0.0.1';\nexport default class Output {}\n");
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, "export { render } from 'ink';\n");
    await expect(build({ entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', logLevel: 'silent', external: ['react-devtools-core'], nodePaths: [join(root, 'node_modules')], metafile: true, plugins: [inkOutputPlugin({ replacement: fake })] })).rejects.toThrow(/ink 6\.8\.0 is installed, but .* replaces ink 0\.0\.1/);
  });
});
