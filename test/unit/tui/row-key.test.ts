// The selection follows its row through a refresh: a row added above it, rows reordered, the
// row gone (stays put), and the row where it was (nothing to do).
import { describe, expect, it } from 'vitest';
import { followSelection, rowKey } from '../../../src/tui/row-key.js';

const issue = (issueId: string) => ({ issueId });
const job = (jobId: string) => ({ jobId });

describe('followSelection', () => {
  it('follows an issue when another issue appears above it, or the rows are reordered', () => {
    expect(followSelection('issues', [issue('a'), issue('b')], 1, [issue('x'), issue('a'), issue('b')])).toBe(2);
    expect(followSelection('issues', [issue('a'), issue('b')], 0, [issue('b'), issue('a')])).toBe(1);
  });

  it('stays put when the row did not move or is gone', () => {
    expect(followSelection('queue', [job('1'), job('2')], 1, [job('1'), job('2'), job('3')])).toBeNull();
    expect(followSelection('queue', [job('1'), job('2')], 1, [job('1')])).toBeNull();
    expect(followSelection('queue', [], 0, [job('1')])).toBeNull();
  });

  it('keys: alerts by their target, endpoints by name, telemetry by issue and time', () => {
    const alert = { severity: 'crit', source: 'issues', message: 'm1', target: { panel: 'issues', key: 'i1' } };
    expect(rowKey('alerts', alert)).toBe(rowKey('alerts', { ...alert, message: 'm1 for 5s' }));
    expect(followSelection('alerts', [{ ...alert, message: 'x' }, alert], 1, [alert, { ...alert, target: { panel: 'issues', key: 'i0' } }])).toBe(0);
    expect(rowKey('endpoints', { name: 'fast' })).toBe('fast');
    expect(rowKey('telemetry', { issueId: 'i', at: 't' })).not.toBe(rowKey('telemetry', { issueId: 'i', at: 'u' }));
  });
});
