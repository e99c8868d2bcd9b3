// Every audited action also goes to this host's journal file on the share, so
// other hosts' operators (and their recovery budgets) see it.
import { setAuditSink } from '../store/audit.js';
import { appendJournal } from './journal.js';

export function journalAudits(sharedRoot: string): void {
  setAuditSink((e) => {
    try {
      appendJournal(sharedRoot, e);
    } catch (err) {
      // The local audit row is written; a share that is down must not undo the action's record.
      process.stderr.write(`swarmctl: could not append to the journal under ${sharedRoot}: ${(err as Error).message}\n`);
    }
  });
}
