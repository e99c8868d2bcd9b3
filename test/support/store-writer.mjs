// A separate process that hammers the store: used by the concurrency test.
// argv: <db path> <worker id> <rows>
import { openStore } from '../../dist/store/db.js';
import { recordAudit } from '../../dist/store/audit.js';

const [path, id, n] = process.argv.slice(2);
const store = openStore(path);
for (let i = 0; i < Number(n); i++) {
  recordAudit(store, { issueId: `issue-${i % 7}`, action: 'bench.write', outcome: 'ok', detail: `worker-${id}` });
  // Mixed readers, as the console does while writers run.
  if (i % 10 === 0) store.db.prepare('SELECT COUNT(*) FROM audit').get();
}
store.close();
