// Help (generated from the keymap), the y/N confirmation with the exact
// commands, the detail view and the command log. Render only.
import React from 'react';
import { Box, Text } from 'ink';
import { visibleBindings } from '../keymap.js';
import type { LogEntry } from '../state.js';
import { truncate } from '../layout.js';

export function HelpOverlay({ readOnly, width }: { readOnly: boolean; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 64)}>
      <Text bold>keys{readOnly ? ' (read-only: mutating keys hidden)' : ''}</Text>
      {visibleBindings(readOnly).map((b) => (
        <Text key={b.command}>
          {b.keys.map((k) => (k === 'return' ? 'Enter' : k === 'escape' ? 'Esc' : k)).join(', ').padEnd(16)}
          {b.description}
          {b.mutating ? <Text color="yellow"> (asks y/N)</Text> : null}
        </Text>
      ))}
      <Text dimColor>Esc or ? closes</Text>
    </Box>
  );
}

export function ConfirmDialog({ title, commands, notes, width }: { title: string; commands: string[][]; notes?: string[] | undefined; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" paddingX={1} width={Math.min(width, 120)}>
      <Text bold color="yellow">{title}</Text>
      {(notes ?? []).map((n, i) => (
        <Text key={`n${i}`} wrap="truncate">{n}</Text>
      ))}
      <Text>This will run:</Text>
      {commands.map((c, i) => (
        <Text key={i} color="cyan" wrap="truncate">  $ {c.join(' ')}</Text>
      ))}
      <Text bold>Run it? y/N</Text>
    </Box>
  );
}

export function DetailView({ title, lines, height, width }: { title: string; lines: string[]; height: number; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width} height={height}>
      <Text bold>{title}</Text>
      {lines.slice(0, Math.max(0, height - 3)).map((l, i) => (
        <Text key={i} wrap="truncate">{truncate(l, width - 4)}</Text>
      ))}
    </Box>
  );
}

export function CommandLog({ entries, height, width }: { entries: LogEntry[]; height: number; width: number }): React.ReactElement {
  const color = { ok: 'green', failed: 'red', running: 'cyan', cancelled: 'gray' } as const;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width} height={height}>
      <Text bold>command log (Esc closes)</Text>
      {entries.length === 0 ? <Text dimColor>nothing run yet</Text> : null}
      {entries.slice(0, Math.max(0, height - 3)).map((e) => (
        <Text key={e.at} wrap="truncate">
          <Text dimColor>{new Date(e.at).toISOString().slice(11, 19)} </Text>
          <Text color={color[e.outcome]}>{e.outcome.padEnd(9)}</Text>
          {e.title} — {e.argv.map((a) => a.join(' ')).join('; ')} {e.detail ? `→ ${e.detail}` : ''}
        </Text>
      ))}
    </Box>
  );
}
