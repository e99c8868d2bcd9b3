// YAML text -> validated, resolved config, or EVERY problem with its key path
// and line:column. Pure (no fs): the loader reads the file, this decides.
// Positions come from the yaml package's CST ranges so a typo in line 40 is
// reported at line 40, not as "invalid config".
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { configSchema } from './schema.js';
import { checkSemantics, looseView } from './semantic.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';

export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** Dotted key path, e.g. services.vasp-02.health_url; '' for the whole file. */
  key: string;
  message: string;
}

export type ParseOutcome = { ok: true; config: ResolvedConfig } | { ok: false; problems: ConfigProblem[] };

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return p.key ? `${where}: ${p.key}: ${p.message}` : `${where}: ${p.message}`;
}

/**
 * yaml's bound on alias expansion (uses of an anchor x the nodes each use expands to).
 * Its default, 100, refuses a config that merges one `<<: *defaults` into 100 services;
 * 10,000 allows that for every realistic cluster while an alias bomb (aliases of aliases,
 * exponential) still stops after ~10,000 nodes per anchor.
 */
export const MAX_ALIAS_COUNT = 10_000;

export function parseConfigText(text: string, file: string, home: string): ParseOutcome {
  const lineCounter = new LineCounter();
  // uniqueKeys: false, and duplicates found below with a Set: yaml's own check compares
  // each key with every earlier key of its map, O(n^2) in the services map (38,700
  // services took 11-16 s; docs/benchmarks.md, "config check").
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const problems: ConfigProblem[] = [];

  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, column: pos.col, key: '', message: `YAML syntax: ${firstLine(err.message)}` });
  }
  for (const key of duplicateKeys(doc)) {
    const pos = key.range ? lineCounter.linePos(key.range[0]) : undefined;
    problems.push({ file, ...(pos ? { line: pos.line, column: pos.col } : {}), key: '', message: 'YAML syntax: Map keys must be unique' });
  }
  if (problems.length) return { ok: false, problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past the limit (an alias bomb).
    const why =
      e instanceof ReferenceError
        ? `aliases expand too far (over ${MAX_ALIAS_COUNT} nodes through one anchor): write the values out or use fewer nested aliases`
        : `cannot resolve: ${firstLine((e as Error).message)}`;
    return { ok: false, problems: [{ file, key: '', message: `YAML ${why}` }] };
  }
  if (data === null || data === undefined) {
    return { ok: false, problems: [{ file, key: '', message: 'the config is empty: it needs at least paths.shared_root' }] };
  }

  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...fromZodIssue(issue, doc, lineCounter, file));
  }
  // Reference checks run even when the schema failed: report everything at once.
  for (const sp of checkSemantics(looseView(data))) {
    const pos = locate(doc, sp.path, lineCounter, false);
    problems.push({ file, ...pos, key: sp.path.join('.'), message: sp.message });
  }
  if (problems.length || !parsed.success) return { ok: false, problems: sortProblems(problems) };

  return { ok: true, config: resolveConfig(parsed.data, file, home) };
}

/** Every key that repeats an earlier key of its mapping (scalar keys), in one pass. */
function duplicateKeys(doc: Document): Node[] {
  const dups: Node[] = [];
  visit(doc, {
    Map(_k, map) {
      const seen = new Set<unknown>();
      for (const it of map.items) {
        if (!isScalar(it.key)) continue;
        const v = it.key.value;
        if (seen.has(v)) dups.push(it.key);
        else seen.add(v);
      }
    },
  });
  return dups;
}

/** A mapping's pairs by key, built once per mapping: a lookup per problem stays O(1). */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairAt(map: YAMLMap, key: string | number): Pair | undefined {
  let idx = pairIndex.get(map);
  if (!idx) {
    idx = new Map();
    for (const it of map.items) if (isPair(it) && isScalar(it.key) && !idx.has(String(it.key.value))) idx.set(String(it.key.value), it as Pair);
    pairIndex.set(map, idx);
  }
  return idx.get(String(key));
}

/** The node at `path`, or undefined (doc.getIn, without its linear scan per mapping). */
function nodeAt(doc: Document, path: (string | number)[]): { found: boolean; node: unknown } {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairAt(node, seg);
      if (!pair) return { found: false, node: undefined };
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      if (seg < 0 || seg >= node.items.length) return { found: false, node: undefined };
      node = node.items[seg];
    } else return { found: false, node: undefined };
  }
  return { found: true, node };
}

function fromZodIssue(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string): ConfigProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      file,
      ...locate(doc, [...path, k], lc, true),
      key: [...path, k].join('.'),
      message: `unknown key "${k}" (a typo? see the config reference in README.md)`,
    }));
  }
  const at = nodeAt(doc, path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && !at.found) message = `missing required key (${issue.expected})`;
  else if (issue.code === 'invalid_type') message = `expected ${expectedName(issue.expected)}, got ${describe(at.node)}`;
  return [{ file, ...locate(doc, path, lc, false), key: path.join('.'), message }];
}

/** zod's type names in YAML words: the operator wrote a mapping, not an "object". */
function expectedName(t: string): string {
  return ({ object: 'a mapping', array: 'a list', record: 'a mapping', string: 'a string', number: 'a number', boolean: 'true or false' } as Record<string, string>)[t] ?? t;
}

/** What is at the path, in YAML words. doc.getIn gives the YAML node for collections. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (isSeq(v) || Array.isArray(v)) return 'a list';
  if (isMap(v)) return 'a mapping';
  if (isScalar(v)) return describe(v.value);
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Line/column of the node at `path` (or of its key), else of the nearest ancestor that exists. */
function locate(doc: Document, path: (string | number)[], lc: LineCounter, wantKey: boolean): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairAt(node, seg as string | number);
      if (!pair) break;
      if (last && wantKey && pair.key) {
        best = pair.key as Node;
        break;
      }
      node = pair.value;
      best = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      node = item;
      best = item as Node;
    } else break;
  }
  const range = best?.range;
  if (!range) return {};
  const pos = lc.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

function sortProblems(ps: ConfigProblem[]): ConfigProblem[] {
  return [...ps].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
