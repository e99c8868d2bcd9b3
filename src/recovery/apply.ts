// Applies a recovery plan: archive the resume file, clean the worktree (git worktree
// remove/branch -D/prune as argv, the directory MOVED to the archive first), return the
// issue to the tracker, resubmit through submit/ (injected as a
// SubmitFn until src/submit/submit.ts lands). Every action writes an audit row (who,
// issue, action, argv, archived where, outcome); the whole application writes one
// `recover.attempt` row, which is what the budget counts. Stops at the first failure.
import type { ResolvedConfig } from '../config/resolve.js';
import type { SwarmProfile } from '../config/profile.js';
import type { Store } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { runLocal } from '../io/run.js';
import { lexists, moveToArchive, realPathUnder } from '../io/archive.js';
import { ATTEMPT_ACTION } from './diagnose-run.js';
import { clearResume } from '../issues/resume-clear.js';
import { archivePath, checkUnder } from '../io/safe-path.js';
import type { RecoveryPlan } from './plan.js';
import { archiveRemoteWorktree } from './worktree-remote.js';

/** The batch layer's submit (src/submit/submit.ts), same shape. */
export interface SubmitOutcome {
  issueId: string;
  status: 'submitted' | 'skipped' | 'failed' | 'dry-run';
  jobId?: string;
  via: string;
  argv: readonly string[];
  reason?: string;
}
export type SubmitFn = (cfg: ResolvedConfig, store: Store, req: { issues: string[]; env?: Record<string, string>; force?: boolean; dryRun?: boolean }) => Promise<SubmitOutcome[]>;

export interface RecoveryStep {
  type: string;
  outcome: 'ok' | 'failed' | 'skipped' | 'dry-run';
  detail: string;
  argv?: string[][];
  archived?: Array<{ from: string; to: string }>;
  jobId?: string;
}

export interface ApplyResult {
  issueId: string;
  kind: string | null;
  outcome: 'ok' | 'failed' | 'skipped' | 'dry-run';
  actions: RecoveryStep[];
}

export interface ApplyDeps {
  submit: SubmitFn;
  /** Only actions marked safe (recover --auto). */
  safeOnly?: boolean;
  dryRun?: boolean;
  now?: Date;
}

async function run(argv: string[]): Promise<{ ok: boolean; detail: string; missing: boolean }> {
  const r = await runLocal({ argv, timeoutMs: 60_000 });
  const missing = r.spawnError !== undefined && /ENOENT/.test(r.spawnError);
  return { ok: r.ok, missing, detail: r.ok ? r.stdout.trim().slice(0, 500) : (r.spawnError ?? r.stderr.trim()).slice(0, 500) || `exit ${r.exitCode}` };
}

export async function applyPlan(cfg: ResolvedConfig, profile: SwarmProfile, store: Store, plan: RecoveryPlan, deps: ApplyDeps): Promise<ApplyResult> {
  const issue = plan.issueId;
  const res: ApplyResult = { issueId: issue, kind: plan.kind, outcome: 'ok', actions: [] };
  const audit = (a: RecoveryStep): void => {
    res.actions.push(a);
    if (a.outcome === 'dry-run') return;
    recordAudit(store, { issueId: issue, action: `recover.${a.type}`, argv: a.argv ?? null, ...(a.archived ? { archived: a.archived } : {}), outcome: a.outcome, detail: a.detail });
  };
  let failed = false;
  for (const action of plan.actions) {
    if (failed) {
      res.actions.push({ type: action.type, outcome: 'skipped', detail: 'an earlier action failed' });
      continue;
    }
    if (deps.safeOnly && !action.safe) {
      audit({ type: action.type, outcome: 'skipped', detail: `not in recovery.auto_actions: ${action.description}` });
      continue;
    }
    if (deps.dryRun) {
      res.actions.push({ type: action.type, outcome: 'dry-run', detail: action.description, ...(action.argv ? { argv: action.argv } : {}) });
      continue;
    }
    switch (action.type) {
      case 'advise':
        res.actions.push({ type: 'advise', outcome: 'ok', detail: action.description });
        break;
      case 'archive_resume': {
        const r = await clearResume(cfg, profile, null, issue, deps.now ? { now: deps.now } : {});
        const ok = r.outcome === 'ok' || r.outcome === 'skipped';
        audit({
          type: action.type,
          outcome: r.outcome === 'ok' ? 'ok' : ok ? 'skipped' : 'failed',
          detail: r.reason,
          ...(r.archivedTo && r.from ? { archived: [{ from: r.from, to: r.archivedTo }] } : {}),
        });
        failed = !ok;
        break;
      }
      case 'clean_worktree': {
        const wt = action.files?.[0]?.from ?? '';
        const safe = checkUnder(cfg.paths.worktrees_dir, wt);
        const dest = archivePath(cfg.paths.archive_dir, issue, 'worktree', deps.now ?? new Date(), cfg.swarm.issue_id_pattern);
        if (!safe.ok || !dest.ok) {
          audit({ type: action.type, outcome: 'failed', detail: `refused: ${!safe.ok ? safe.reason : !dest.ok ? dest.reason : ''}` });
          failed = true;
          break;
        }
        // The lexical check is not enough where files move and git acts: a worktree that
        // is a symlink (or sits under one) leading out of the worktrees root, or an archive
        // folder that does, is refused before anything is moved or any git command runs.
        const [realWt, realDest] = await Promise.all([realPathUnder(cfg.paths.worktrees_dir, safe.path), realPathUnder(cfg.paths.archive_dir, dest.path)]);
        if (!realWt.ok || !realDest.ok) {
          audit({ type: action.type, outcome: 'failed', detail: `refused: ${!realWt.ok ? realWt.reason : !realDest.ok ? realDest.reason : ''}; nothing moved, no git command run` });
          failed = true;
          break;
        }
        const archived: Array<{ from: string; to: string }> = [];
        const steps: string[] = [];
        // Keep the files first: move the directory to the archive, then let git forget it.
        if (await lexists(safe.path)) {
          const m = await moveToArchive(safe.path, dest.path, { fromRoot: cfg.paths.worktrees_dir, toRoot: cfg.paths.archive_dir });
          if (!m.ok) {
            audit({ type: action.type, outcome: 'failed', detail: m.refused ? `${m.error}; nothing moved, no git command run` : `move ${safe.path} failed: ${m.error}` });
            failed = true;
            break;
          }
          archived.push({ from: m.from, to: m.to });
          steps.push(`moved ${m.from} to ${m.to}`);
        }
        let ok = true;
        for (const argv of action.argv ?? []) {
          const r = await run(argv);
          // `worktree remove` fails once the directory is gone; prune cleans up after it.
          const tolerable = argv.includes('remove') || (argv.includes('-D') && /not found/.test(r.detail));
          steps.push(`${argv.slice(3).join(' ')}: ${r.ok ? 'ok' : tolerable ? `ignored (${r.detail})` : r.detail}`);
          if (!r.ok && !tolerable) ok = false;
        }
        audit({ type: action.type, outcome: ok ? 'ok' : 'failed', detail: steps.join('; '), ...(action.argv ? { argv: action.argv } : {}), archived });
        failed = !ok;
        break;
      }
      case 'archive_worktree': {
        // On the host that ran the issue, over SSH (worktree-remote.ts): check, then move into the archive there.
        const host = action.host !== undefined ? cfg.hosts[action.host] : undefined;
        const wt = checkUnder(cfg.paths.worktrees_dir, action.files?.[0]?.from ?? '');
        const archiveRoot = action.archiveRoot ?? '';
        const dest = archivePath(archiveRoot, issue, 'worktree', deps.now ?? new Date(), cfg.swarm.issue_id_pattern);
        const refusal =
          action.refused ??
          (!host
            ? `refused: host ${action.host ?? '(none)'} is not in hosts:; nothing moved`
            : !wt.ok
              ? `refused: ${wt.reason}; nothing moved`
              : !dest.ok
                ? `refused: ${dest.reason}; nothing moved`
                : undefined);
        if (refusal !== undefined || !host || !wt.ok || !dest.ok) {
          audit({ type: action.type, outcome: 'failed', detail: refusal ?? 'refused' });
          failed = true;
          break;
        }
        const r = await archiveRemoteWorktree({
          host,
          root: wt.root,
          path: wt.path,
          archiveRoot,
          dest: dest.path,
          timeoutMs: cfg.slurm.command_timeout_s * 1000,
          connectTimeoutS: cfg.thresholds.probe_timeout_s,
        });
        audit({ type: action.type, outcome: r.outcome, detail: `on ${host.name}: ${r.detail}`, argv: r.argv, ...(r.archived ? { archived: [r.archived] } : {}) });
        failed = r.outcome === 'failed';
        break;
      }
      case 'tracker_return': {
        const results: string[] = [];
        let ok = true;
        for (const argv of action.argv ?? []) {
          const r = await run(argv);
          if (r.missing) {
            audit({
              type: action.type,
              outcome: 'failed',
              detail: `${argv[0]} is not installed: return ${issue} to the tracker by hand (${(action.argv ?? []).map((a) => a.join(' ')).join(' ; ')})`,
              ...(action.argv ? { argv: action.argv } : {}),
            });
            ok = false;
            results.length = 0;
            break;
          }
          results.push(`${argv.join(' ')}: ${r.ok ? 'ok' : r.detail}`);
          if (!r.ok) {
            ok = false;
            break;
          }
        }
        if (results.length) audit({ type: action.type, outcome: ok ? 'ok' : 'failed', detail: results.join('; '), ...(action.argv ? { argv: action.argv } : {}) });
        failed = !ok;
        break;
      }
      case 'resubmit':
      case 'resubmit_with_env': {
        const outs = await deps.submit(cfg, store, { issues: [issue], ...(action.env ? { env: action.env } : {}), ...(action.args ? { args: action.args } : {}) });
        const o = outs.find((x) => x.issueId === issue) ?? outs[0];
        const ok = o?.status === 'submitted';
        audit({
          type: action.type,
          outcome: ok ? 'ok' : 'failed',
          detail: ok
            ? `submitted job ${o?.jobId} via ${o?.via}${action.env ? ` with ${Object.keys(action.env).join(', ')}` : ''}${action.args ? ` ${action.args.join(' ')}` : ''}`
            : `submit ${o?.status ?? 'returned nothing'}: ${o?.reason ?? ''}`,
          argv: o ? [[...o.argv]] : [],
          ...(o?.jobId ? { jobId: o.jobId } : {}),
        });
        failed = !ok;
        break;
      }
    }
  }
  const acted = res.actions.some((a) => a.outcome === 'ok' && a.type !== 'advise');
  res.outcome = deps.dryRun ? 'dry-run' : failed ? 'failed' : acted ? 'ok' : 'skipped';
  if (!deps.dryRun && (acted || failed)) {
    recordAudit(store, {
      issueId: issue,
      action: ATTEMPT_ACTION,
      argv: null,
      outcome: failed ? 'failed' : 'ok',
      detail: `${plan.kind}: ${res.actions.map((a) => `${a.type}=${a.outcome}`).join(', ')}`,
    });
  }
  return res;
}
