// Where the state DB goes: an explicit path on a network filesystem is refused
// (with the fix); the default one there is replaced by a local path, said once
// on stderr.
import { CliError, EXIT } from './output.js';
import { localStatePath, networkFs } from '../journal/store-path.js';

export function chooseStorePath(explicit: string | undefined, fallback: string): string {
  if (explicit !== undefined) {
    if (explicit === ':memory:') return explicit;
    const fs = networkFs(explicit);
    if (fs)
      throw new CliError(
        `the state database ${explicit} is on ${fs.fstype} (${fs.mountPoint}): SQLite's WAL does not work on a network filesystem`,
        EXIT.USAGE,
        'pass --db (or store.path) on a local disk, e.g. /var/tmp/swarmctl/swarmctl.db',
      );
    return explicit;
  }
  const fs = networkFs(fallback);
  if (!fs) return fallback;
  const local = localStatePath();
  process.stderr.write(`swarmctl: the default state path ${fallback} is on ${fs.fstype} (${fs.mountPoint}); using the local ${local} instead (set store.path to choose)\n`);
  return local;
}
