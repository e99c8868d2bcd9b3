// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bundle/main.mjs with
// esbuild, which is what bin/swarmctl runs. Why: every swarmctl call starts a
// fresh Node, and resolving + loading ~60 small ES modules (ours, commander's,
// better-sqlite3's JS) cost 35-60 ms per call on the dev VM, more than the
// work of a `queue --json` (docs/benchmarks.md, "Bundled start-up").
//
// - Code splitting keeps each command's implementation in its own chunk, so
//   `--version` does not parse the console or zod.
// - The console's Ink, React and Yoga are bundled too, into chunks only `swarmctl
//   tui` loads: loading them from node_modules (~100 modules) doubled the time
//   to the console's first frame (3.2 s -> 1.6 s median on the loaded dev VM).
//   React picks its production build at run time: commands/tui.ts sets
//   NODE_ENV before the first import.
// - Ink is bundled as installed, i.e. stock 6.8 plus patches/ink+6.8.0.patch
//   (patch-package, on npm install): the frame target (<= 50 ms at 2,000 jobs)
//   is met without replacing Ink's Output, so users and tests run one renderer.
// - External: better-sqlite3 (a .node addon, loaded from node_modules) and
//   react-devtools-core (Ink imports it only when DEV=true; not installed).
// - Outputs stay at dist/bundle/*.mjs (depth 2 under the package root), the same
//   depth as dist/<dir>/*.js, so `new URL('../../package.json', import.meta.url)`
//   and the slurm/ and bin/ paths in the sources resolve the same way.
// - Files are written only when their content changed, each through a temp
//   file and rename, because several test runs may build at the same time
//   and one of them may be running the binary meanwhile.
//
// Usage: node scripts/bundle.mjs (after tsc; `npm run build` runs both).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');

const result = await build({
  entryPoints: [join(root, 'dist/cli/main.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  // .mjs: Node knows the format from the extension and skips the
  // package.json lookup it does for every .js module (measured ~0.5 ms each).
  outExtension: { '.js': '.mjs' },
  write: false,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  external: ['better-sqlite3', 'react-devtools-core'],
  // commander and React are CommonJS: esbuild's wrappers call require() for
  // node builtins, which an ES module does not have.
  banner: { js: "import { createRequire as __swarmctlRequire } from 'node:module'; const require = __swarmctlRequire(import.meta.url);" },
});

// A dynamic import() of a CommonJS package gets a chunk that exports only `default`
// (esbuild cannot know the package's export names), so `const { x } = await
// import('pkg')` is undefined at run time while it works unbundled: `config show` failed
// with "stringify is not a function" that way. Refuse to build one; import the package
// statically from a module of ours and import that dynamically (src/config/render-yaml.ts).
const cjsOnlyDefault = result.outputFiles.filter((f) => /^export default require_\w+\(\);$/m.test(f.text));
if (cjsOnlyDefault.length) {
  process.stderr.write(`bundle: dynamic import() of a CommonJS package (named exports would be undefined): ${cjsOnlyDefault.map((f) => basename(f.path)).join(', ')}\n`);
  process.exit(1);
}

mkdirSync(outdir, { recursive: true });
const wanted = new Set();
let written = 0;
for (const f of result.outputFiles) {
  const name = basename(f.path);
  wanted.add(name);
  const target = join(outdir, name);
  if (existsSync(target) && Buffer.compare(readFileSync(target), f.contents) === 0) continue;
  const tmp = `${target}.tmp-${process.pid}`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, target);
  written++;
}
// Chunk names carry content hashes: drop chunks no current output refers to,
// once they are old enough that no process started from the previous build
// can still be about to import them.
for (const name of readdirSync(outdir)) {
  const p = join(outdir, name);
  if (!wanted.has(name) && Date.now() - statSync(p).mtimeMs > 10 * 60_000) rmSync(p, { force: true });
}
if (process.env['SWARMCTL_BUNDLE_VERBOSE']) process.stderr.write(`bundle: ${result.outputFiles.length} files, ${written} written\n`);
