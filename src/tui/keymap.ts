// Every key the console answers to, declared once as data. The help overlay
// and the footer are generated from this table, and `commandFor` is the only
// key parser, so a key can never do something its help does not say.
// Pure: no Ink (the `Key` shape mirrors Ink's useInput key object).

export type CommandId =
  | 'quit'
  | 'help'
  | 'next-panel'
  | 'prev-panel'
  | 'panel-1'
  | 'panel-2'
  | 'panel-3'
  | 'panel-4'
  | 'panel-5'
  | 'up'
  | 'down'
  | 'top'
  | 'bottom'
  | 'detail'
  | 'back'
  | 'filter'
  | 'refresh'
  | 'submit'
  | 'cancel'
  | 'diagnose'
  | 'recover'
  | 'log'
  | 'restart-view'
  | 'restart'
  | 'drain'
  | 'resume-node'
  | 'confirm-yes'
  | 'confirm-no';

export interface KeyBinding {
  keys: string[];
  command: CommandId;
  description: string;
  /** Changes the cluster: hidden with --read-only, always confirmed with y/N. */
  mutating: boolean;
  /** Shown in the footer (the rest only in the ? overlay). */
  footer?: boolean;
}

export const KEYMAP: readonly KeyBinding[] = [
  { keys: ['q', 'ctrl+c'], command: 'quit', description: 'quit', mutating: false, footer: true },
  { keys: ['?'], command: 'help', description: 'help', mutating: false, footer: true },
  { keys: ['tab'], command: 'next-panel', description: 'next panel', mutating: false },
  { keys: ['shift+tab'], command: 'prev-panel', description: 'previous panel', mutating: false },
  { keys: ['1'], command: 'panel-1', description: 'endpoints', mutating: false },
  { keys: ['2'], command: 'panel-2', description: 'queue', mutating: false },
  { keys: ['3'], command: 'panel-3', description: 'issues', mutating: false },
  { keys: ['4'], command: 'panel-4', description: 'telemetry', mutating: false },
  { keys: ['5'], command: 'panel-5', description: 'alerts', mutating: false },
  { keys: ['up', 'k'], command: 'up', description: 'move up', mutating: false },
  { keys: ['down', 'j'], command: 'down', description: 'move down', mutating: false },
  { keys: ['g'], command: 'top', description: 'first row', mutating: false },
  { keys: ['G'], command: 'bottom', description: 'last row', mutating: false },
  { keys: ['return'], command: 'detail', description: 'details', mutating: false, footer: true },
  { keys: ['escape'], command: 'back', description: 'back / close', mutating: false },
  { keys: ['/'], command: 'filter', description: 'filter (regex)', mutating: false, footer: true },
  { keys: ['r'], command: 'refresh', description: 'refresh now', mutating: false, footer: true },
  { keys: ['s'], command: 'submit', description: 'submit selected issue', mutating: true, footer: true },
  { keys: ['c'], command: 'cancel', description: 'cancel selected job', mutating: true, footer: true },
  { keys: ['d'], command: 'diagnose', description: 'diagnose selected issue', mutating: false, footer: true },
  { keys: ['R'], command: 'recover', description: 'recover selected issue (plan, then y)', mutating: true, footer: true },
  { keys: ['L'], command: 'log', description: 'command log', mutating: false },
  { keys: ['O'], command: 'restart-view', description: 'restart run: its steps, the current one', mutating: false },
  { keys: ['X'], command: 'restart', description: 'restart the cluster in order (plan, then y)', mutating: true },
  { keys: ['D'], command: 'drain', description: 'drain selected node (reason, then y)', mutating: true },
  { keys: ['U'], command: 'resume-node', description: 'resume selected node', mutating: true },
];

/** Keys while a confirmation is open: only y confirms; anything else cancels. */
export const CONFIRM_KEYMAP: readonly KeyBinding[] = [
  { keys: ['y'], command: 'confirm-yes', description: 'run it', mutating: true },
  { keys: ['n', 'escape', 'return'], command: 'confirm-no', description: 'cancel (default)', mutating: false },
  // A long plan (a restart's) scrolls; these keys read it, they never answer.
  { keys: ['down', 'j'], command: 'down', description: 'scroll', mutating: false },
  { keys: ['up', 'k'], command: 'up', description: 'scroll', mutating: false },
  { keys: ['g'], command: 'top', description: 'scroll to the top', mutating: false },
  { keys: ['G'], command: 'bottom', description: 'scroll to the end', mutating: false },
];

/** Ink's useInput key flags (subset). */
export interface Key {
  upArrow?: boolean;
  downArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
}

export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.return) return 'return';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  return input;
}

export function commandFor(input: string, key: Key, opts: { readOnly: boolean; confirming: boolean }): CommandId | null {
  const name = keyName(input, key);
  if (opts.confirming) {
    if (name === 'ctrl+c') return 'quit';
    return CONFIRM_KEYMAP.find((b) => b.keys.includes(name))?.command ?? 'confirm-no';
  }
  const b = KEYMAP.find((k) => k.keys.includes(name));
  if (!b || (opts.readOnly && b.mutating)) return null;
  return b.command;
}

export function visibleBindings(readOnly: boolean): KeyBinding[] {
  return KEYMAP.filter((b) => !(readOnly && b.mutating));
}

export function footerText(readOnly: boolean): string {
  return visibleBindings(readOnly)
    .filter((b) => b.footer)
    .map((b) => `${b.keys[0] === 'return' ? '⏎' : b.keys[0]} ${b.description.split(' ')[0]}`)
    .join('  ');
}
