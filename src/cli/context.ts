// What a command needs from the world: the config (found by the documented
// lookup order) and the store. Loaded lazily so `--version` and `--help`
// never parse YAML or open SQLite.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { CliError, EXIT } from './output.js';

export interface GlobalOptions {
  config?: string;
  db?: string;
}

export async function loadConfigOrExit(opts: GlobalOptions): Promise<ResolvedConfig> {
  const { loadConfigFast } = await import('../config/load-fast.js');
  const r = await loadConfigFast(opts.config);
  if (!r.ok) {
    const { formatProblem } = await import('../config/parse.js');
    throw new CliError(r.problems.map(formatProblem).join('\n'), EXIT.USAGE, 'fix the config (swarmctl config check shows every problem)', { problems: r.problems });
  }
  return r.config;
}

export async function openStoreFor(opts: GlobalOptions, cfg?: ResolvedConfig): Promise<Store> {
  const [{ openStore, defaultDbPath }, { chooseStorePath }, sink] = await Promise.all([import('../store/db.js'), import('./store-choice.js'), cfg ? import('../journal/audit-sink.js') : null]);
  const path = chooseStorePath(opts.db ?? process.env['SWARMCTL_DB'] ?? cfg?.store?.path, defaultDbPath());
  try {
    const store = openStore(path);
    if (cfg && sink) sink.journalAudits(cfg.paths.shared_root);
    return store;
  } catch (e) {
    throw new CliError(`cannot open the state database ${path}: ${(e as Error).message}`, EXIT.FAILED, 'pass --db PATH to a writable location, or fix the permissions');
  }
}
