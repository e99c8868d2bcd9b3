// The console in a real terminal (tmux), as the tui-*.test.ts files drive it: start
// the built binary in a session of a given size, press keys, wait for text, and
// compare the WHOLE screen with the frame the app meant (SWARMCTL_TUI_FRAME_FILE).
//
//   const c = startConsole({ session, dir, config, db, columns: 80, rows: 24 });
//   c.press('2');                                   // one key (one char is sent literally)
//   await c.until('the queue', (s) => s.includes('2 Queue'));
//   const lines = await c.exact('80x24 queue');     // the screen, once it equals the app's frame
//   afterAll(killConsoles);                         // every console this file started
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { slurmEnv } from './cluster.js';
import { BIN } from './bin.js';

export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A frame the app dumped: its sequence number (1, 2, … per commit) and its lines, colours stripped. */
export interface Frame {
  seq: number;
  lines: string[];
}

export interface TmuxConsole {
  session: string;
  /** The visible screen as tmux shows it (capture-pane). */
  screen(): string;
  /** The app's latest dumped frame; null before the first. */
  frame(): Frame | null;
  /** Keys in order: a single character is typed literally, anything else is a tmux key name (Enter, Escape, C-c). */
  press(...keys: string[]): void;
  /** How many keys press() has sent (a keystroke count for the README's flows). */
  readonly pressed: number;
  /** Polls the screen until `pred` holds and returns it; throws with the screen after `ms` (default: startConsole's untilMs). */
  until(what: string, pred: (s: string) => boolean, ms?: number): Promise<string>;
  /**
   * Waits until the terminal shows exactly the app's current frame (the same frame
   * before and after the capture), padded to the terminal's rows, and returns those
   * lines; the header must be on screen once. A wrong screen stays wrong, so after
   * `ms` (default 8 s) it throws with both shown (- meant, + shown).
   */
  exact(label: string, ms?: number): Promise<string[]>;
  resize(columns: number, rows: number): Promise<void>;
  kill(): void;
}

export interface ConsoleOptions {
  /** tmux session name (unique per test file: put the pid in it). */
  session: string;
  /** Where the frame file goes. */
  dir: string;
  config: string;
  db: string;
  columns: number;
  rows: number;
  /** More arguments after `tui` (--read-only). */
  extra?: string[];
  /** until()'s default wait (30 s). */
  untilMs?: number;
}

const started = new Set<TmuxConsole>();

/** Kills every console started in this file (for afterAll or afterEach). */
export function killConsoles(): void {
  for (const c of started) c.kill();
  started.clear();
}

export function startConsole(opts: ConsoleOptions): TmuxConsole {
  const frameFile = join(opts.dir, `frame-${opts.session}.txt`);
  let rows = opts.rows;
  let pressed = 0;
  tmux(
    'new-session',
    '-d',
    '-s',
    opts.session,
    '-x',
    String(opts.columns),
    '-y',
    String(opts.rows),
    '-e',
    `SLURM_CONF=${slurmEnv()['SLURM_CONF']}`,
    '-e',
    `SWARMCTL_TUI_FRAME_FILE=${frameFile}`,
    '-e',
    'TERM=xterm-256color',
    process.execPath,
    BIN,
    '--config',
    opts.config,
    '--db',
    opts.db,
    'tui',
    ...(opts.extra ?? []),
  );
  const screen = () => tmux('capture-pane', '-p', '-t', opts.session);
  const frame = (): Frame | null => {
    if (!existsSync(frameFile)) return null;
    const text = readFileSync(frameFile, 'utf8');
    const nl = text.indexOf('\n');
    return { seq: Number(text.slice(0, nl)), lines: stripVTControlCharacters(text.slice(nl + 1)).split('\n') };
  };
  // The screen the app means: its frame (one row short of the terminal), then the empty row the cursor parks on.
  const fit = (l: string[]) => {
    const out = l.map((x) => x.trimEnd());
    while (out.length < rows) out.push('');
    return out.slice(0, rows);
  };
  const c: TmuxConsole = {
    session: opts.session,
    screen,
    frame,
    press: (...keys: string[]) => {
      for (const k of keys) {
        pressed++;
        tmux('send-keys', '-t', opts.session, ...(k.length === 1 ? ['-l', k] : [k]));
      }
    },
    get pressed() {
      return pressed;
    },
    async until(what, pred, ms = opts.untilMs ?? 30_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const s = screen();
        if (pred(s)) return s;
        await sleep(200);
      }
      throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    },
    async exact(label, ms = 8_000) {
      let last = { want: [] as string[], got: [] as string[] };
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const before = frame();
        await sleep(150); // Ink draws at most 10 frames a second: let the last commit reach the terminal.
        const got = fit(screen().replace(/\n$/, '').split('\n'));
        const after = frame();
        if (before && after && before.seq === after.seq) {
          last = { want: fit(after.lines), got };
          if (JSON.stringify(last.want) === JSON.stringify(got)) {
            if (got.filter((l) => l.startsWith(' swarmctl ')).length !== 1) throw new Error(`${label}: the header is not on screen exactly once`);
            return got;
          }
        }
        await sleep(100);
      }
      const diff = last.want.map((w, i) => (w === last.got[i] ? `  ${w}` : `- ${w}\n+ ${last.got[i] ?? ''}`)).join('\n');
      throw new Error(`${label}: the terminal does not show the app's frame (- meant, + shown):\n${diff}`);
    },
    async resize(columns, r) {
      rows = r;
      tmux('resize-window', '-t', opts.session, '-x', String(columns), '-y', String(r));
      await sleep(300);
    },
    kill() {
      try {
        tmux('kill-session', '-t', opts.session);
      } catch {
        /* gone */
      }
    },
  };
  started.add(c);
  return c;
}
