// Starts the console: alternate screen on, Ink render, and the screen ALWAYS
// restored (normal exit, q, Ctrl-C, SIGTERM, a crash): Ink 6 has no option
// for the alternate screen, so we write the sequences ourselves and restore
// in a finally plus exit/signal hooks.
import React from 'react';
import { render } from 'ink';
import { App } from './components/App.js';
import type { Monitor } from '../console/monitor.js';
import type { ConsoleActions } from '../console/actions.js';

const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface ConsoleOptions {
  monitor: Monitor;
  actions: ConsoleActions;
  readOnly: boolean;
  clusterName: string;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

export async function runConsole(opts: ConsoleOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
  };
  const onSignal = () => {
    restore();
    process.exit(130);
  };
  process.once('exit', restore);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  stdout.write(ENTER_ALT);
  opts.monitor.start();
  try {
    const ink = render(<App monitor={opts.monitor} actions={opts.actions} readOnly={opts.readOnly} clusterName={opts.clusterName} />, {
      stdout,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      exitOnCtrlC: true,
      patchConsole: true,
      // Bounded redraw rate: a slow SSH link gets at most this many frames a second.
      maxFps: 10,
      incrementalRendering: true,
    });
    await ink.waitUntilExit();
  } finally {
    opts.monitor.stop();
    restore();
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
