// Taking the operator lock from a command: a held lock becomes exit 2 naming the
// holder; a takeover of an expired one is said on stderr. restart, recover and
// submit --sequential call this (one line each).
import type { ResolvedConfig } from '../config/resolve.js';
import { CliError, EXIT, say } from './output.js';

export async function takeOperatorLock(cfg: ResolvedConfig, command: string): Promise<{ release(): void; assertHeld(): void; tookOver?: string }> {
  const { acquireLock, LockBusyError } = await import('../lock/operator-lock.js');
  const v = Number(process.env['SWARMCTL_LOCK_TTL_S']);
  try {
    const l = acquireLock(cfg.paths.shared_root, command, Number.isFinite(v) && v > 0 ? { ttlS: v } : {});
    if (!l.tookOver) return { release: l.release, assertHeld: l.assertHeld };
    const t = l.tookOver;
    const msg = `took over the expired operator lock of ${t.holder.user}@${t.holder.host} (pid ${t.holder.pid}, "${t.holder.command}"): ${t.reason}`;
    say(msg, true);
    return { release: l.release, assertHeld: l.assertHeld, tookOver: msg };
  } catch (e) {
    if (e instanceof LockBusyError) {
      const h = e.holder;
      throw new CliError(e.message, EXIT.FAILED, undefined, { holder: { user: h.user, host: h.host, pid: h.pid, command: h.command, age_s: Math.round(e.ageMs / 1000) } });
    }
    throw new CliError(`cannot take the operator lock under ${cfg.paths.shared_root}: ${(e as Error).message}`, EXIT.FAILED, 'check that the shared root is mounted and writable');
  }
}
