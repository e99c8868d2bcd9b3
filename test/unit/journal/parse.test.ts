// Pure parts of the journal and the store-path check: torn lines skipped, the
// longest mount point decides the filesystem.
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../../src/journal/journal.js';
import { fsTypeOf, networkFs } from '../../../src/journal/store-path.js';

describe('journal and mountinfo (pure)', () => {
  it('a torn last line (crash mid-write) and a bad line are skipped, whole lines kept', () => {
    const r = parseJournal('{"at":1,"action":"a"}\nnot json\n{"at":2,"action":"b"}\n{"at":3,"act');
    expect(r.entries.map((e) => e.action)).toEqual(['a', 'b']);
    expect(r.bad).toBe(1);
  });
  it('the longest mount point above a path gives its fstype; escaped spaces understood', () => {
    const mi = ['22 1 8:1 / / rw - ext4 /dev/sda1 rw', '40 22 0:50 / /home rw - nfs4 srv:/home rw', '41 40 0:51 / /home/a\\040b rw - tmpfs tmpfs rw'].join('\n');
    expect(fsTypeOf('/home/u/.local/state/x.db', mi)).toEqual({ mountPoint: '/home', fstype: 'nfs4' });
    expect(fsTypeOf('/home/a b/x', mi)?.fstype).toBe('tmpfs');
    expect(fsTypeOf('/homework/x', mi)?.fstype).toBe('ext4');
    expect(networkFs('/home/u/x', mi)).not.toBeNull();
    expect(networkFs('/var/tmp/x', mi)).toBeNull();
  });
});
