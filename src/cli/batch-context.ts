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

/**
 * withBatch for commands whose slow part is an external call (squeue): fn gets
 * the store while it is still opening, so loading SQLite overlaps it.
 */
export async function withBatchOpening<T>(global: GlobalOptions, fn: (cfg: ResolvedConfig, store: Promise<Store>) => Promise<T>): Promise<T> {
  const cfg = await loadConfigOrExit(global);
  const opening = openStoreFor(global, cfg);
  // fn awaits it; this only keeps an early failure from counting as unhandled meanwhile.
  opening.catch(() => undefined);
  try {
    return await fn(cfg, opening);
  } catch (e) {
    throw asCliError(e);
  } finally {
    await opening.then(
      (s) => s.close(),
      () => undefined,
    );
  }
}

export function asCliError(e: unknown): unknown {
  if (e instanceof Error && e.name === 'UsageError') {
    return new CliError(e.message, EXIT.USAGE, 'nothing was run; fix the input', (e as { details?: unknown }).details);
  }
  return e;
}
