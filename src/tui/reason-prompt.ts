// The drain reason prompt's keys (D on a node): text edits the draft, Enter asks for
// the plan, Esc cancels. Pure: a key in, what it does out.
import type { Key } from './keymap.js';

export type ReasonKey = { draft: string } | { submit: string } | { cancel: true } | null;

export function reasonKey(draft: string, input: string, key: Key & { backspace?: boolean; delete?: boolean; meta?: boolean }): ReasonKey {
  if (key.return) return { submit: draft.trim() };
  if (key.escape) return { cancel: true };
  if (key.backspace || key.delete) return { draft: draft.slice(0, -1) };
  if (key.ctrl && input === 'u') return { draft: '' };
  if (key.ctrl && input === 'w') return { draft: draft.replace(/\S*\s*$/, '') };
  // eslint-disable-next-line no-control-regex
  if (input && !key.ctrl && !key.meta) return { draft: (draft + input.replace(/[\u0000-\u001f\u007f]/g, '')).slice(0, 200) };
  return null;
}
