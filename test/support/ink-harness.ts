// Renders an Ink tree into a fake terminal of any size (ink-testing-library
// fixes the width at 100) and feeds it keys. Frames are the raw writes; the
// last one is what the screen shows.
import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type { ReactElement } from 'react';

export class FakeStdout extends EventEmitter {
  frames: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (s: string) => {
    this.frames.push(s);
    return true;
  };
  get lastFrame(): string {
    return this.frames.at(-1) ?? '';
  }
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  press(s: string) {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
}

export const KEYS = { up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b', tab: '\t' };

export function renderIn(el: ReactElement, columns: number, rows: number): { stdout: FakeStdout; stdin: FakeStdin; instance: Instance; screen: () => string } {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(el, { stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return { stdout, stdin, instance, screen: () => strip(stdout.lastFrame) };
}

export const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
