// Test and debugging hook: with SWARMCTL_TUI_FRAME_FILE set, every committed
// screen is also rendered to a string by the same components at the same width
// and written (atomically) to that file, so a test can compare what the
// terminal shows with what the app meant to draw (test/integration/tui-frames.test.ts).
import { useEffect, type ReactElement } from 'react';
import { renderToString } from 'ink';
import { renameSync, writeFileSync } from 'node:fs';

const FILE = process.env['SWARMCTL_TUI_FRAME_FILE'];
let seq = 0;
let pending: { screen: ReactElement; columns: number } | null = null;

export function useFrameDump(screen: ReactElement, columns: number): void {
  useEffect(() => {
    if (!FILE) return;
    // Outside the commit: rendering another root from inside the live one's
    // commit re-enters the reconciler (Yoga then fails). Only the latest screen counts.
    const first = pending === null;
    pending = { screen, columns };
    if (first) setImmediate(dump);
  });
}

function dump(): void {
  if (!pending || !FILE) return;
  const { screen, columns } = pending;
  pending = null;
  const text = renderToString(screen, { columns });
  const tmp = `${FILE}.tmp-${process.pid}`;
  // The first line numbers the frame, so a reader can tell two dumps apart.
  writeFileSync(tmp, `${++seq}\n${text}`);
  renameSync(tmp, FILE);
}
