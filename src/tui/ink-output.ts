// A drop-in replacement for Ink 6.8's `build/output.js` (the class that turns one
// frame's write/clip operations into the frame's text), with caches that live
// across frames. scripts/ink-output-plugin.mjs swaps it in when the CLI is bundled.
//
// Why: Ink builds a new Output for every frame, and its caches live on that
// instance, so every frame re-tokenises every visible line into per-character
// objects (12,000 of them at 200x60) and re-serialises every row, even when one
// cell changed. The profile of bench/tui-frame.mjs put ~70% of a frame there and
// in the garbage collector. Here the styled characters of a line and the text of a
// whole row are kept between frames, keyed by exactly what determines them, so an
// unchanged row costs one Map lookup.
//
// Faithfulness: get() returns what Ink's get() returns for the same operations,
// including its quirks (a line falling outside the frame does not advance the
// row offset; characters past the width are kept; cells left of column 0 and
// fractional columns are dropped). test/unit/ink-output.test.ts checks that against Ink's own class on
// random operations. Re-check this file against ink/build/output.js whenever Ink
// is upgraded: the bundle plugin refuses any Ink other than the version below.
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';
import { styledCharsFromTokens, styledCharsToString, tokenize, type StyledChar } from '@alcalzone/ansi-tokenize';

/** The Ink release whose build/output.js this file replaces. */
export const INK_VERSION = '6.8.0';

type Transformer = (line: string, index: number) => string;
interface Clip {
  x1?: number;
  x2?: number;
  y1?: number;
  y2?: number;
}
type Operation = { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] } | { type: 'clip'; clip: Clip } | { type: 'unclip' };

/**
 * A Map that forgets everything once its entries weigh `limit` in total (the
 * weight of an entry is its key's length times `perChar`, plus one). A console
 * frame needs a few hundred short entries; clearing wholesale (rare) is cheaper
 * than LRU bookkeeping on every hit, and weighing by length bounds the memory
 * even when every frame brings new full-width lines.
 */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  private weight = 0;
  constructor(
    private readonly limit: number,
    private readonly perChar = 1,
  ) {}
  get(key: string, make: (key: string) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make(key);
      const w = key.length * this.perChar + 1;
      if (this.weight + w > this.limit) this.clear();
      this.map.set(key, v);
      this.weight += w;
    }
    return v;
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
    this.weight = 0;
  }
}

// Shared by every frame. The cached character arrays are never mutated (rows only
// reference them; styledCharsToString only reads), so sharing them is safe.
// Budgets in characters of key: a styled character is an object (~80 bytes), so
// 250,000 of them (20 screens of 200x60) stay near 20 MB; a row entry holds the key
// and the row's text (two strings of about the key's length).
const styledChars = new BoundedCache<StyledChar[]>(250_000);
const widths = new BoundedCache<number>(250_000);
const rows = new BoundedCache<string>(500_000, 2);

const charsOf = (line: string): StyledChar[] => styledChars.get(line, (l) => styledCharsFromTokens(tokenize(l)));
const widthOf = (text: string): number => widths.get(text, stringWidth);
function widestLine(text: string): number {
  let w = 0;
  for (const line of text.split('\n')) w = Math.max(w, widthOf(line));
  return w;
}

/** For tests: forget every cached line and row. */
export function clearOutputCaches(): void {
  styledChars.clear();
  widths.clear();
  rows.clear();
}
/** For tests and benchmarks: how many rows are cached now. */
export const cachedRowCount = (): number => rows.size;

/** What was written into one row, in order: the row's text is a function of exactly this. */
interface Segment {
  x: number;
  line: string;
}

export default class Output {
  readonly width: number;
  readonly height: number;
  private readonly operations: Operation[] = [];

  constructor(options: { width: number; height: number }) {
    this.width = options.width;
    this.height = options.height;
  }

  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void {
    if (!text) return;
    this.operations.push({ type: 'write', x, y, text, transformers: options.transformers });
  }

  clip(clip: Clip): void {
    this.operations.push({ type: 'clip', clip });
  }

  unclip(): void {
    this.operations.push({ type: 'unclip' });
  }

  get(): { output: string; height: number } {
    // Ink's grid has one row per step of `y < height` (so a fractional height rounds up).
    const segments: Segment[][] = [];
    for (let y = 0; y < this.height; y++) segments.push([]);
    const clips: Clip[] = [];
    for (const op of this.operations) {
      if (op.type === 'clip') {
        clips.push(op.clip);
        continue;
      }
      if (op.type === 'unclip') {
        clips.pop();
        continue;
      }
      let { x, y } = op;
      let lines = op.text.split('\n');
      const clip = clips.at(-1);
      if (clip) {
        const clipH = typeof clip.x1 === 'number' && typeof clip.x2 === 'number';
        const clipV = typeof clip.y1 === 'number' && typeof clip.y2 === 'number';
        if (clipH && (x + widestLine(op.text) < clip.x1! || x > clip.x2!)) continue;
        if (clipV && (y + lines.length < clip.y1! || y > clip.y2!)) continue;
        if (clipH) {
          const x0 = x;
          lines = lines.map((line) => {
            const from = x0 < clip.x1! ? clip.x1! - x0 : 0;
            const w = widthOf(line);
            const to = x0 + w > clip.x2! ? clip.x2! - x0 : w;
            return sliceAnsi(line, from, to);
          });
          if (x < clip.x1!) x = clip.x1!;
        }
        if (clipV) {
          const from = y < clip.y1! ? clip.y1! - y : 0;
          const to = y + lines.length > clip.y2! ? clip.y2! - y : lines.length;
          lines = lines.slice(from, to);
          if (y < clip.y1!) y = clip.y1!;
        }
      }
      let offsetY = 0;
      for (let index = 0; index < lines.length; index++) {
        // Ink skips a line whose row does not exist WITHOUT advancing the offset.
        const row = segments[y + offsetY];
        if (!row) continue;
        let line = lines[index]!;
        for (const t of op.transformers) line = t(line, index);
        row.push({ x, line });
        offsetY++;
      }
    }
    const out: string[] = [];
    // A row nothing was written to is spaces, which Ink's trimEnd removes.
    for (const segs of segments) out.push(segs.length === 0 ? '' : rows.get(rowKey(this.width, segs), () => this.renderRow(segs)));
    return { output: out.join('\n'), height: segments.length };
  }

  /** Ink's per-row algorithm: place each segment's characters, then serialise. */
  private renderRow(segs: Segment[]): string {
    const cells: (StyledChar | undefined)[] = [];
    for (let x = 0; x < this.width; x++) cells.push(BLANK);
    for (const { x, line } of segs) {
      let offsetX = x;
      for (const ch of charsOf(line)) {
        cells[offsetX] = ch;
        const w = Math.max(1, widthOf(ch.value));
        // A wide character covers the cells after it (Ink clears them the same way).
        for (let i = 1; i < w; i++) cells[offsetX + i] = { type: 'char', value: '', fullWidth: false, styles: ch.styles };
        offsetX += w;
      }
    }
    return styledCharsToString(cells.filter((c): c is StyledChar => c !== undefined)).trimEnd();
  }
}

// One shared blank cell: rows only read their cells.
const BLANK: StyledChar = { type: 'char', value: ' ', fullWidth: false, styles: [] };

/**
 * An unambiguous key for a row: the grid width and each segment's x and line,
 * length-prefixed so no text can make two different rows collide.
 */
function rowKey(width: number, segs: Segment[]): string {
  let k = String(width);
  for (const s of segs) k += `|${s.x}:${s.line.length}:${s.line}`;
  return k;
}
