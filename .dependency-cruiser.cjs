// The layer table, enforced (`npm run lint`). docs/architecture.md has the same table
// for readers; this file reads it and fails when the two disagree, so neither can drift.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// folder under src/ -> the folders it may import (besides itself). Lower layers first.
const LAYERS = {
  core: [],
  testserver: [],
  config: ['core'],
  io: ['core', 'config'],
  lock: ['core', 'config', 'io'],
  store: ['core', 'config', 'io'],
  journal: ['core', 'config', 'io', 'store'],
  slurm: ['core', 'config', 'io', 'store'],
  probes: ['core', 'config', 'io', 'store', 'slurm'],
  issues: ['core', 'config', 'io', 'store', 'slurm'],
  submit: ['core', 'config', 'io', 'store', 'slurm'],
  discovery: ['core', 'config', 'io', 'store', 'slurm'],
  recovery: ['core', 'config', 'io', 'store', 'slurm', 'probes', 'issues', 'journal'],
  restart: ['core', 'config', 'io', 'store', 'slurm', 'probes', 'submit', 'lock', 'journal'],
  console: ['core', 'config', 'io', 'store', 'slurm', 'probes', 'issues', 'submit', 'discovery', 'recovery', 'lock', 'journal', 'restart'],
  tui: ['core', 'console'],
  sandbox: ['core', 'config', 'io'],
  drill: ['core', 'config', 'io', 'sandbox'],
  cli: ['core', 'config', 'io', 'store', 'slurm', 'probes', 'issues', 'submit', 'discovery', 'recovery', 'lock', 'journal', 'restart', 'console', 'tui', 'sandbox', 'drill'],
};

checkAgainstDoc();

const folders = Object.keys(LAYERS);
const layerRules = folders.map((from) => {
  const banned = folders.filter((to) => to !== from && !LAYERS[from].includes(to));
  return {
    name: `layer-${from}`,
    comment: `src/${from}/ may import only ${LAYERS[from].map((f) => `${f}/`).join(', ') || 'node built-ins and packages'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^src/${from}/` },
    to: { path: banned.length ? `^src/(${banned.join('|')})/` : '^$' },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-unknown-folder',
      comment: 'every file under src/ is in a folder of the layer table',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: `^src/(${folders.join('|')})/` },
    },
    {
      name: 'tui-only-from-its-command',
      comment: 'the CLI loads the Ink console only from the tui command (lazily), so no other command pays for Ink',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/tui\\.ts$' },
      to: { path: '^src/tui/' },
    },
    {
      name: 'ink-only-in-tui',
      comment: 'Ink and React live in src/tui/ only; the console model (src/console/) has no Ink',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/tui/' },
      to: { path: 'node_modules/(ink|react|react-reconciler)/' },
    },
    {
      name: 'pure-modules-no-io',
      comment: 'parsers and classifiers are pure: no file system, processes, network, SQLite or Ink',
      severity: 'error',
      from: { path: '(-parse|-classify|/parse|/plan|/layout|/keymap|/table-model|/view-model)\\.tsx?$' },
      to: {
        path: '^(node:)?(fs|fs/promises|child_process|net|http|https|dgram)$|node_modules/(better-sqlite3|ink|react)/|^src/(io|store)/',
        pathNot: '^src/io/safe-path\\.ts$',
      },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle between modules',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-test',
      comment: 'shipped code never imports test code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

// The table in docs/architecture.md: rows "| `src/<folder>/` | holds | may import |", the
// third column naming folders as `x/`. Any difference is a lint failure.
function checkAgainstDoc() {
  const doc = readFileSync(join(__dirname, 'docs', 'architecture.md'), 'utf8');
  const rows = new Map();
  for (const line of doc.split('\n')) {
    const m = /^\| `src\/([a-z]+)\/` \|.*\| (.*) \|$/.exec(line);
    if (!m) continue;
    const mayImport = m[2].split('|').pop();
    rows.set(m[1], [...mayImport.matchAll(/`([a-z]+)\/`/g)].map((x) => x[1]).sort());
  }
  const problems = [];
  for (const [folder, allowed] of Object.entries(LAYERS)) {
    const documented = rows.get(folder);
    if (!documented) problems.push(`src/${folder}/ has no row`);
    else if (documented.join(',') !== [...allowed].sort().join(','))
      problems.push(`src/${folder}/ may import ${documented.join(', ') || 'nothing'} in the doc, ${[...allowed].sort().join(', ') || 'nothing'} here`);
  }
  for (const folder of rows.keys()) if (!(folder in LAYERS)) problems.push(`src/${folder}/ is in the doc but not in the lint config`);
  if (problems.length) throw new Error(`docs/architecture.md and .dependency-cruiser.cjs disagree: ${problems.join('; ')}`);
}
