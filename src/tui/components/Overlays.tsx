// Help (generated from the keymap), the y/N confirmation with the exact
// commands, the detail view and the command log. Render only.
import React from 'react';
import { Box, Text } from 'ink';
import { visibleBindings } from '../keymap.js';
import type { LogEntry } from '../state.js';
import { overlayRows, truncate, wrapLines } from '../layout.js';

/** Help: every binding, scrolled by `scroll` when the screen is shorter than the list (80x24). */
export function HelpOverlay({ readOnly, width, height, scroll }: { readOnly: boolean; width: number; height: number; scroll: number }): React.ReactElement {
  const all = visibleBindings(readOnly);
  const rows = overlayRows('help', height);
  const first = Math.min(scroll, Math.max(0, all.length - rows));
  const shown = all.slice(first, first + rows);
  const more = all.length > rows ? `  lines ${first + 1}-${first + shown.length} of ${all.length}, j/k scroll` : '';
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 80)} height={Math.min(height, all.length + 4)}>
      <Text bold wrap="truncate">
        keys{readOnly ? ' (read-only: mutating keys hidden)' : ''}
      </Text>
      {shown.map((b) => (
        <Text key={b.command} wrap="truncate">
          {b.keys
            .map((k) => (k === 'return' ? 'Enter' : k === 'escape' ? 'Esc' : k))
            .join(', ')
            .padEnd(16)}
          {b.description}
          {b.mutating ? <Text color="yellow"> (asks y/N)</Text> : null}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        Esc or ? closes{more}
      </Text>
    </Box>
  );
}

/** The notes rows a confirmation has at this height (borders, title, the commands and "Run it?" stay on screen). */
function confirmNoteRows(commands: string[][], width: number, height: number): number {
  return Math.max(1, height - 4 - 1 - wrapLines(commandLines(commands), width - 4).length);
}

const commandLines = (commands: string[][]) => commands.map((c) => `  $ ${c.join(' ')}`);

/** How many notes lines a confirmation cannot show at once (a restart plan at 80x24). */
export function confirmOverflow(notes: string[] | undefined, commands: string[][], width: number, height: number): number {
  return Math.max(0, wrapLines(notes ?? [], width - 4).length - confirmNoteRows(commands, width, height));
}

/**
 * y/N with the plan's notes and every command in full: lines wrap, nothing is cut (at any width).
 * Notes longer than the screen scroll (j/k); the commands and the question never leave it.
 */
export function ConfirmDialog({
  title,
  commands,
  notes,
  width,
  height,
  scroll,
}: {
  title: string;
  commands: string[][];
  notes?: string[] | undefined;
  width: number;
  height: number;
  scroll: number;
}): React.ReactElement {
  const inner = width - 4;
  const all = wrapLines(notes ?? [], inner);
  const rows = confirmNoteRows(commands, width, height);
  const first = all.length > rows ? Math.min(scroll, all.length - rows) : 0;
  const shown = all.length > rows ? all.slice(first, first + rows) : all;
  const more = all.length > rows ? `  (${first + 1}-${first + shown.length} of ${all.length}, j/k scroll)` : '';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1} width={width}>
      <Text bold color="yellow" wrap="truncate">
        {title}
        <Text dimColor>{more}</Text>
      </Text>
      {shown.map((n, i) => (
        <Text key={`n${i}`} wrap="truncate">
          {n}
        </Text>
      ))}
      <Text>{commands.length ? 'This will run:' : 'This runs no command.'}</Text>
      {wrapLines(commandLines(commands), inner).map((l, i) => (
        <Text key={i} color="cyan" wrap="truncate">
          {l}
        </Text>
      ))}
      <Text bold>Run it? y/N</Text>
    </Box>
  );
}

/** A detail view: long lines wrap (evidence is read whole), and it scrolls by `scroll`. */
export function DetailView({ title, lines, height, width, scroll }: { title: string; lines: string[]; height: number; width: number; scroll: number }): React.ReactElement {
  const wrapped = wrapLines(lines, width - 4);
  const rows = overlayRows('detail', height);
  const first = Math.min(scroll, Math.max(0, wrapped.length - rows));
  const more = wrapped.length > rows ? `  (lines ${first + 1}-${Math.min(wrapped.length, first + rows)} of ${wrapped.length}, j/k scroll)` : '';
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width} height={height}>
      <Text bold wrap="truncate">
        {title}
        <Text dimColor>{more}</Text>
      </Text>
      {wrapped.slice(first, first + rows).map((l, i) => (
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}

/** How many lines a detail view of `lines` cannot show at once at this size. */
export function detailOverflow(lines: string[], width: number, height: number): number {
  return Math.max(0, wrapLines(lines, width - 4).length - overlayRows('detail', height));
}

export function CommandLog({ entries, height, width, scroll }: { entries: LogEntry[]; height: number; width: number; scroll: number }): React.ReactElement {
  const rows = overlayRows('log', height);
  const first = Math.min(scroll, Math.max(0, entries.length - rows));
  const color = { ok: 'green', failed: 'red', running: 'cyan', cancelled: 'gray' } as const;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width} height={height}>
      <Text bold>command log (Esc closes)</Text>
      {entries.length === 0 ? <Text dimColor>nothing run yet</Text> : null}
      {entries.slice(first, first + rows).map((e) => (
        <Text key={e.at} wrap="truncate">
          <Text dimColor>{new Date(e.at).toISOString().slice(11, 19)} </Text>
          <Text color={color[e.outcome]}>{e.outcome.padEnd(9)}</Text>
          {e.title} — {e.argv.map((a) => a.join(' ')).join('; ')} {e.detail ? `→ ${e.detail}` : ''}
        </Text>
      ))}
    </Box>
  );
}
