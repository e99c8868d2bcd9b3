// The console's restart key: the plan `swarmctl restart --dry-run` prints, shown in
// the y/N dialog, then `swarmctl restart --yes --json` started as its own process.
// Why a process and not a call: the run outlives the console (an operator who quits,
// or whose SSH link drops, does not stop a restart half way), and the operator lock,
// the run record, the audit and --resume behave exactly as for the CLI, because it
// IS the CLI. Its NDJSON goes to a file on local disk (the share may be the thing
// being restarted); the console reads run_start from it, then follows the run in
// SQLite like any other run.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import type { ActionPlan, ActionResult } from './actions.js';
import { buildPlan, PlanError } from '../restart/plan.js';
import { planLines } from '../restart/plan-text.js';
import { readLockState, readRestartState } from '../restart/run-state.js';
import { fmtAge } from '../lock/operator-lock.js';

export interface RestartSpawn {
  /** How this swarmctl is started: [node, bin/swarmctl, --config X, --db Y]; `restart --yes --json` is appended. */
  self: string[];
  /** Why the shared folder must not be read now (NFS down), or null. */
  sharedDown?: () => string | null;
  /** How long to wait for run_start (ms). */
  startWaitMs?: number;
}

/** The argv the dialog shows: this swarmctl's global options, as an operator would type them. */
function shownArgv(self: string[]): string[] {
  return ['swarmctl', ...self.slice(2), 'restart', '--yes', '--json'];
}

export async function planRestart(cfg: ResolvedConfig, store: Store, how: RestartSpawn): Promise<ActionPlan | string> {
  let plan;
  try {
    plan = buildPlan(cfg, {});
  } catch (e) {
    if (e instanceof PlanError) return `restart: ${e.message} (fix the config: swarmctl config check)`;
    throw e;
  }
  const notes: string[] = [];
  const down = how.sharedDown?.() ?? null;
  if (down) notes.push(`the operator lock cannot be read now (${down}): the run takes it itself, and stops if someone holds it`);
  else {
    const lock = readLockState(cfg.paths.shared_root);
    if (lock === null) notes.push('the operator lock could not be read: the run takes it itself, and stops if someone holds it');
    else if (lock.held && !lock.expired) {
      const h = lock.holder;
      return `restart: not offered: the operator lock is held by ${h.user}@${h.host} (pid ${h.pid}, "${h.command}") for ${fmtAge(lock.ageMs)}; wait for it to end (O shows a running restart)`;
    } else if (lock.held) notes.push(`the operator lock of ${lock.holder.user}@${lock.holder.host} expired (${lock.reason ?? 'TTL'}): the run takes it over`);
  }
  const st = readRestartState(store);
  if (st.run?.status === 'running' && !st.orphaned) return `restart: run ${st.run.id} is still going (pid ${st.run.pid ?? '?'}): O shows its steps`;
  if (st.run?.status === 'running' && st.orphaned)
    notes.push(`run ${st.run.id} stopped at ${st.current ? `step ${st.current.seq + 1} ${st.current.service}` : 'a step'}: this starts a new run (swarmctl restart --resume would continue that one)`);
  const eventsDir = store.path === ':memory:' ? join(tmpdir(), 'swarmctl-restart-events') : join(dirname(store.path), 'restart-events');
  return {
    id: 'restart',
    title: `restart the cluster in depends_on order (${plan.length} steps)`,
    commands: [shownArgv(how.self)],
    notes: [
      `the plan (as swarmctl restart --dry-run; nothing has run yet):`,
      ...planLines(plan),
      `runs as its own process (it goes on if the console quits), under the operator lock, recorded and resumable; events in ${eventsDir}/`,
    ],
    opens: 'restart',
    run: () => startRestart(how, eventsDir),
  };
}

/** Starts the run detached; resolves once its run_start event is written, or it exited, or the wait ran out. */
async function startRestart(how: RestartSpawn, eventsDir: string): Promise<ActionResult> {
  mkdirSync(eventsDir, { recursive: true, mode: 0o700 });
  const base = join(eventsDir, `restart-${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}`);
  const outFd = openSync(`${base}.ndjson`, 'a', 0o600);
  const errFd = openSync(`${base}.log`, 'a', 0o600);
  let exited: { code: number | null; signal: string | null } | null = null;
  let spawnError: string | null = null;
  try {
    const [cmd, ...args] = how.self;
    const child = spawn(cmd!, [...args, 'restart', '--yes', '--json'], { detached: true, stdio: ['ignore', outFd, errFd] });
    child.on('error', (e) => (spawnError = e.message));
    child.on('exit', (code, signal) => (exited = { code, signal }));
    child.unref();
  } finally {
    closeSync(outFd);
    closeSync(errFd);
  }
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  const end = Date.now() + (how.startWaitMs ?? 15_000);
  for (;;) {
    const start = read(`${base}.ndjson`)
      .split('\n')
      .map((l) => {
        try {
          return JSON.parse(l) as { event?: string; run_id?: number };
        } catch {
          return null;
        }
      })
      .find((e) => e?.event === 'run_start');
    if (start) return { ok: true, detail: `restart run ${start.run_id} started (events: ${base}.ndjson)` };
    if (spawnError) return { ok: false, detail: `could not start swarmctl restart: ${spawnError}` };
    const x = exited as { code: number | null; signal: string | null } | null;
    if (x) {
      const err = read(`${base}.log`).trim().split('\n').pop() ?? '';
      return { ok: false, detail: `swarmctl restart exited ${x.code ?? x.signal} before its run started${err ? `: ${err}` : ''}` };
    }
    if (Date.now() > end) return { ok: true, detail: `swarmctl restart started, no run_start yet after ${Math.round((how.startWaitMs ?? 15_000) / 1000)} s (events: ${base}.ndjson)` };
    await new Promise((r) => setTimeout(r, 150));
  }
}
