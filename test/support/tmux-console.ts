// The console in a real terminal (tmux), as the tui-*.test.ts files drive it: start
// the built binary in a session of a given size, press keys, wait for text, and
// compare the WHOLE screen with the frame the app meant (SWARMCTL_TUI_FRAME_FILE).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { slurmEnv } from './cluster.js';
import { BIN } from './bin.js';

export const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TmuxConsole {
  session: string;
  screen(): string;
  press(...keys: string[]): void;
  until(what: string, pred: (s: string) => boolean, ms?: number): Promise<string>;
  exact(label: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  kill(): void;
}

export function startConsole(opts: { session: string; dir: string; config: string; db: string; columns: number; rows: number; extra?: string[] }): TmuxConsole {
  const frameFile = join(opts.dir, `frame-${opts.session}.txt`);
  let rows = opts.rows;
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
  const readFrame = () => {
    if (!existsSync(frameFile)) return null;
    const text = readFileSync(frameFile, 'utf8');
    const nl = text.indexOf('\n');
    return { seq: Number(text.slice(0, nl)), lines: stripVTControlCharacters(text.slice(nl + 1)).split('\n') };
  };
  const fit = (l: string[]) => {
    const out = l.map((x) => x.trimEnd());
    while (out.length < rows) out.push('');
    return out.slice(0, rows);
  };
  return {
    session: opts.session,
    screen,
    press: (...keys: string[]) => {
      for (const k of keys) tmux('send-keys', '-t', opts.session, ...(k.length === 1 ? ['-l', k] : [k]));
    },
    async until(what, pred, ms = 30_000) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const s = screen();
        if (pred(s)) return s;
        await sleep(200);
      }
      throw new Error(`timed out waiting for ${what}; screen:\n${screen()}`);
    },
    /** The terminal shows exactly the app's current frame: no stale line, no row twice. */
    async exact(label) {
      let last = { want: [] as string[], got: [] as string[] };
      const end = Date.now() + 8_000;
      while (Date.now() < end) {
        const before = readFrame();
        await sleep(150);
        const got = fit(screen().replace(/\n$/, '').split('\n'));
        const after = readFrame();
        if (before && after && before.seq === after.seq) {
          last = { want: fit(after.lines), got };
          if (JSON.stringify(last.want) === JSON.stringify(got)) {
            if (got.filter((l) => l.startsWith(' swarmctl ')).length !== 1) throw new Error(`${label}: the header is not on screen exactly once`);
            return;
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
}
