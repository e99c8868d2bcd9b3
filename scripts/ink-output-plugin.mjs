// esbuild plugin: bundle Ink with src/tui/ink-output.ts (compiled to
// dist/tui/ink-output.js) in place of Ink's own build/output.js, whose caches die
// with every frame (why, and the faithfulness test: the header of ink-output.ts).
//
// The swap is tied to one Ink release. The plugin fails the build if the installed
// Ink is another version, or if Ink's renderer no longer imports ./output.js (the
// layout changed), so an Ink upgrade cannot silently ship a stale replacement.
// Used by scripts/bundle.mjs and by bench/tui-frame.mjs (which also builds the
// stock variant as its baseline).
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {{ replacement?: string }} [opts] replacement: the compiled ink-output.js (default dist/tui/ink-output.js) */
export function inkOutputPlugin(opts = {}) {
  const replacement = opts.replacement ?? join(root, 'dist', 'tui', 'ink-output.js');
  return {
    name: 'swarmctl-ink-output',
    setup(build) {
      let swapped = 0;
      let sawRenderer = false;
      build.onStart(async () => {
        swapped = 0;
        sawRenderer = false;
        // The version the replacement was written against is declared in the replacement itself.
        const { INK_VERSION } = await import(pathToFileURL(replacement).href);
        const inkPkg = JSON.parse(readFileSync(join(root, 'node_modules', 'ink', 'package.json'), 'utf8'));
        if (inkPkg.version !== INK_VERSION) {
          return { errors: [{ text: `ink ${inkPkg.version} is installed, but src/tui/ink-output.ts replaces ink ${INK_VERSION}'s build/output.js: compare the two, update the replacement and its INK_VERSION` }] };
        }
        return undefined;
      });
      build.onResolve({ filter: /^\.\/output\.js$/ }, (args) => {
        if (!args.importer.endsWith(`${sep}ink${sep}build${sep}renderer.js`)) return undefined;
        swapped++;
        return { path: replacement };
      });
      // Notes that Ink's renderer is part of this build (and lets esbuild load it as usual).
      build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]renderer\.js$/ }, () => {
        sawRenderer = true;
        return undefined;
      });
      build.onEnd(() => {
        // Only a build that bundles the console must have swapped; others never see Ink.
        if (sawRenderer && swapped === 0) {
          throw new Error("ink's build/renderer.js no longer imports ./output.js: the Output replacement was not applied (see scripts/ink-output-plugin.mjs)");
        }
      });
    },
  };
}
