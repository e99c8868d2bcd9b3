// The restart view (O): the newest run's steps with their state, the current one
// marked, elapsed times and the lock. Render only: the lines come from
// console/restart-view.ts, and they change when the restart source polls.
import React from 'react';
import { Box, Text } from 'ink';
import type { RestartView } from '../../console/view-model.js';
import { restartViewLines, type ViewLine } from '../../console/restart-view.js';
import { overlayRows } from '../layout.js';

const COLOR: Record<NonNullable<ViewLine['tone']>, string | undefined> = { ok: 'green', bad: 'red', busy: 'cyan', dim: undefined, title: undefined };

export function restartOverflow(restart: RestartView | null, now: number, height: number, readOnly: boolean): number {
  return Math.max(0, restartViewLines(restart, now, readOnly).length - overlayRows('detail', height));
}

export function RestartOverlay({
  restart,
  now,
  width,
  height,
  scroll,
  readOnly,
}: {
  restart: RestartView | null;
  now: number;
  width: number;
  height: number;
  scroll: number;
  readOnly: boolean;
}): React.ReactElement {
  const lines = restartViewLines(restart, now, readOnly);
  const rows = overlayRows('detail', height);
  const first = Math.min(scroll, Math.max(0, lines.length - rows));
  const more = lines.length > rows ? `  (lines ${first + 1}-${Math.min(lines.length, first + rows)} of ${lines.length}, j/k scroll)` : '';
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={width} height={height}>
      <Text bold wrap="truncate">
        restart run (O or Esc closes)
        <Text dimColor>{more}</Text>
      </Text>
      {lines.slice(first, first + rows).map((l, i) => (
        <Text key={i} wrap="truncate" color={l.tone ? COLOR[l.tone] : undefined} dimColor={l.tone === 'dim'}>
          {l.text}
        </Text>
      ))}
    </Box>
  );
}
