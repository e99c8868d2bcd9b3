// Shared by the batch commands (submit, queue, cancel, job, discovery,
// endpoints): load config + store, and turn the batch layer's UsageError into
// the CLI's exit 64. Imported lazily inside actions.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { CliError, EXIT } from './output.js';
import { loadConfigOrExit, openStoreFor, type GlobalOptions } from './context.js';

export async function withBatch<T>(global: GlobalOptions, fn: (cfg: ResolvedConfig, store: Store) => Promise<T>): Promise<T> {
  const cfg = await loadConfigOrExit(global);
  const store = await openStoreFor(global, cfg);
  try {
    return await fn(cfg, store);
  } catch (e) {
    throw asCliError(e);
  } finally {
    store.close();
  }
}

export function asCliError(e: unknown): unknown {
  if (e instanceof Error && e.name === 'UsageError') {
    return new CliError(e.message, EXIT.USAGE, 'nothing was run; fix the input', (e as { details?: unknown }).details);
  }
  return e;
}
