// Stand-in for the batch layer's submit (src/batch/submit.ts, not in the tree yet):
// `sbatch --parsable --job-name <name> --export=ALL,<NAMES> <script> <issue>`, with the
// remedy VALUES in sbatch's own environment (never in --export=, which splits on
// commas). Same SubmitFn shape, so the recover command switches to the real one by
// changing one import.
import type { ResolvedConfig } from '../config/resolve.js';
import type { Store } from '../store/db.js';
import { profileOf } from '../config/profile.js';
import { renderJobName } from './job-name.js';
import { runSlurm } from './slurm-run.js';
import { validateEnvName, validateEnvValue } from './validate.js';
import type { SubmitFn, SubmitOutcome } from './recover-apply.js';

export const fallbackSubmit: SubmitFn = async (cfg: ResolvedConfig, _store: Store, req) => {
  const out: SubmitOutcome[] = [];
  const profile = profileOf(cfg);
  for (const issue of req.issues) {
    const name = renderJobName(issue, profile.job_name_template, cfg.swarm.issue_id_pattern);
    if (!name.ok) {
      out.push({ issueId: issue, status: 'failed', via: 'slurm', argv: [], reason: name.reason });
      continue;
    }
    const env = { ...cfg.swarm.env, ...req.env, SWARM_ISSUE_ID: issue };
    const bad = Object.entries(env).map(([k, v]) => (validateEnvName(k).ok ? validateEnvValue(v) : validateEnvName(k))).find((v) => !v.ok);
    if (bad && !bad.ok) {
      out.push({ issueId: issue, status: 'failed', via: 'slurm', argv: [], reason: bad.reason });
      continue;
    }
    if (!cfg.swarm.sbatch_script) {
      out.push({ issueId: issue, status: 'failed', via: 'slurm', argv: [], reason: 'no swarm.sbatch_script configured (and src/batch/submit.ts is not available yet)' });
      continue;
    }
    const argv = ['sbatch', '--parsable', '--job-name', name.name, `--export=ALL,${Object.keys(env).join(',')}`, '-o', `${cfg.paths.logs_dir}/swarm-orch-%j.log`];
    if (cfg.slurm.partition) argv.push('--partition', cfg.slurm.partition);
    argv.push(cfg.swarm.sbatch_script, issue);
    if (req.dryRun) {
      out.push({ issueId: issue, status: 'dry-run', via: 'slurm', argv });
      continue;
    }
    const r = await runSlurm(cfg, argv, { env });
    const jobId = r.stdout.trim().split(';')[0];
    if (r.ok && jobId && /^\d+$/.test(jobId)) out.push({ issueId: issue, status: 'submitted', jobId, via: 'slurm', argv });
    else out.push({ issueId: issue, status: 'failed', via: 'slurm', argv, reason: (r.spawnError ?? r.stderr.trim()) || `sbatch exited ${r.exitCode}` });
  }
  return out;
};
