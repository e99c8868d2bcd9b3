// Pure parts of the console's restart view and nodes section: step states, the view's
// lines (current step, elapsed), sinfo nodes as rows and alerts, and the keys.
import { describe, expect, it } from 'vitest';
import { restartViewLines, stepState } from '../../../src/console/restart-view.js';
import { nodeAlerts, nodeRow, nodeStates, withNodes } from '../../../src/console/node-rows.js';
import { parseSinfoNodes, SINFO_DELIMITER as D } from '../../../src/slurm/states.js';
import { commandFor, visibleBindings } from '../../../src/tui/keymap.js';
import { reasonKey } from '../../../src/tui/reason-prompt.js';
import type { RestartView } from '../../../src/console/view-model.js';

const now = 1_000_000;

describe('restart view', () => {
  it('maps a running step to its phase, blocked to skipped', () => {
    expect(stepState({ status: 'running', action: 'check' })).toBe('checking');
    expect(stepState({ status: 'running', action: 'act' })).toBe('acting');
    expect(stepState({ status: 'running', action: 'verify' })).toBe('verifying');
    expect(stepState({ status: 'running', action: 'restart' })).toBe('running');
    expect(stepState({ status: 'blocked', action: 'restart' })).toBe('skipped');
    expect(stepState({ status: 'done', action: 'verify' })).toBe('done');
  });

  it('marks the current step and shows each step elapsed, the run by whom, the lock', () => {
    const r: RestartView = {
      lock: { holder: 'ops@login1 pid 7', command: 'swarmctl restart', ageMs: 65_000, expired: false },
      run: {
        id: 4,
        status: 'running',
        startedAt: now - 65_000,
        actor: 'ops@login1',
        orphaned: false,
        steps: [
          { seq: 0, service: 'nfs', action: 'check', status: 'done', startedAt: now - 65_000, finishedAt: now - 64_500, detail: 'mounted' },
          { seq: 1, service: 'qwen35', action: 'verify', status: 'running', host: 'vasp-01', startedAt: now - 12_000 },
          { seq: 2, service: 'ai-proxy', action: 'restart', status: 'pending' },
        ],
        current: { seq: 1, service: 'qwen35', action: 'verify', status: 'running' },
      },
    };
    const lines = restartViewLines(r, now).map((l) => l.text);
    expect(lines[0]).toBe('lock: held by ops@login1 pid 7 (swarmctl restart) for 1m05s');
    expect(lines[1]).toBe('run 4 running, 1m05s, by ops@login1');
    expect(lines[2]).toBe('  1 ✓ nfs      local    done        0.5s  mounted');
    expect(lines[3]).toBe('> 2 ▶ qwen35   vasp-01  verifying    12s');
    expect(lines[4]).toBe('  3 · ai-proxy local    pending');
    expect(lines[5]).toBe('1 of 3 steps finished; now: step 2 qwen35 verifying');
  });

  it('a stopped run says how to resume; no run says X, but not read-only', () => {
    const stopped = restartViewLines({ lock: null, run: { id: 2, status: 'running', startedAt: now - 5000, orphaned: true, steps: [], current: null } }, now);
    expect(stopped[1]!.text).toContain('STOPPED (its process is gone): swarmctl restart --resume');
    expect(restartViewLines({ lock: null, run: null }, now).map((l) => l.text)).toEqual(['lock: free', 'no restart run recorded here', 'X plans one (restart --dry-run first, then y)']);
    expect(restartViewLines({ lock: null, run: null }, now, true).map((l) => l.text)).toEqual(['lock: free', 'no restart run recorded here']);
  });
});

describe('nodes section', () => {
  const line = (...f: string[]) => f.map((x) => x + D).join('');
  const sinfo = [
    line('n1', 'debug*', 'idle', 'idle', 'none'),
    line('n1', 'gpu', 'idle', 'idle', 'none'),
    line('n2', 'debug*', 'drained', 'idle+drain', 'GPU ECC'),
    line('n3', 'debug*', 'down*', 'down+not_responding', 'Not responding'),
  ].join('\n');

  it('one row per node with its partitions, the state in the status, the reason after it; alerts for drained and down', () => {
    const nodes = nodeStates(parseSinfoNodes(sinfo).nodes);
    expect(nodes.map((n) => [n.name, n.partitions.join(','), n.drained, n.down])).toEqual([
      ['n1', 'debug,gpu', false, false],
      ['n2', 'debug', true, false],
      ['n3', 'debug', false, true],
    ]);
    expect(nodes.map(nodeRow).map((r) => [r.status, r.reason])).toEqual([
      ['up', 'idle'],
      ['degraded', 'drained: GPU ECC'],
      ['down', 'down*: Not responding'],
    ]);
    expect(nodeAlerts(nodes).map((a) => [a.severity, a.message])).toEqual([
      ['warn', 'node n2 drained: GPU ECC (Enter; U resumes)'],
      ['crit', 'node n3 down*: Not responding (Enter; U resumes)'],
    ]);
    expect(nodeAlerts(nodes, true)[0]!.message).toBe('node n2 drained: GPU ECC (Enter: details)');
  });

  it('rows keep their identity while neither source changed', () => {
    const rows = [{ name: 'svc' }];
    const nodes = nodeStates(parseSinfoNodes(sinfo).nodes);
    const a = withNodes(rows, nodes);
    expect(a).toHaveLength(4);
    expect(withNodes(rows, nodes)).toBe(a);
    expect(withNodes(rows, [])).toBe(rows);
  });
});

describe('keys', () => {
  it('X, D, U are mutating (hidden and dead with --read-only); O is not', () => {
    const ro = visibleBindings(true).map((b) => b.keys[0]);
    expect(ro).toContain('O');
    for (const k of ['X', 'D', 'U']) {
      expect(ro).not.toContain(k);
      expect(commandFor(k, {}, { readOnly: true, confirming: false })).toBeNull();
    }
    expect(commandFor('X', {}, { readOnly: false, confirming: false })).toBe('restart');
  });

  it('in a confirmation j/k/g/G scroll and never answer; anything else still cancels', () => {
    const c = (k: string, key = {}) => commandFor(k, key, { readOnly: false, confirming: true });
    expect([c('j'), c('k'), c('g'), c('G'), c('', { downArrow: true })]).toEqual(['down', 'up', 'top', 'bottom', 'down']);
    expect(c('x')).toBe('confirm-no');
    expect(c('y')).toBe('confirm-yes');
  });

  it('the drain reason prompt edits, submits trimmed, cancels, and drops control characters', () => {
    expect(reasonKey('GPU', ' ECC', {})).toEqual({ draft: 'GPU ECC' });
    expect(reasonKey('GPU E', '', { backspace: true })).toEqual({ draft: 'GPU ' });
    expect(reasonKey('GPU ECC', 'w', { ctrl: true })).toEqual({ draft: 'GPU ' });
    expect(reasonKey('a', 'b\x07c', {})).toEqual({ draft: 'abc' });
    expect(reasonKey(' x ', '', { return: true })).toEqual({ submit: 'x' });
    expect(reasonKey('x', '', { escape: true })).toEqual({ cancel: true });
  });
});

describe('node actions refuse before any y/N', () => {
  const node = { name: 'n1', state: 'idle', reason: null, partitions: ['debug'], drained: false, down: false };
  it('no reason, a node not drained, a name that is not a node name: a line, not a plan', async () => {
    const { planNodeState } = await import('../../../src/console/node-actions.js');
    const none = {} as never;
    expect(planNodeState(none, none, node, 'drain', '  ')).toMatch(/^drain n1: a reason is needed/);
    expect(planNodeState(none, none, node, 'resume')).toBe('resume n1: it is idle, not drained or down: nothing to resume');
    expect(planNodeState(none, none, { ...node, name: '-x' }, 'drain', 'r')).toMatch(/not a node name/);
    const plan = planNodeState(none, none, { ...node, state: 'drained', drained: true, reason: 'ECC' }, 'resume');
    expect(typeof plan === 'object' && plan.commands).toEqual([['scontrol', 'update', 'nodename=n1', 'state=resume']]);
  });
});
