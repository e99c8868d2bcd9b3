// A PATH folder as on a machine without SLURM (and, if asked, without sshd): a symlink to every
// program of the system's bin folders except those. SLURM is installed here for the other tests.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const SLURM_PROGRAMS = [
  'squeue',
  'sbatch',
  'scancel',
  'scontrol',
  'sinfo',
  'srun',
  'salloc',
  'sacct',
  'sacctmgr',
  'sstat',
  'sprio',
  'sshare',
  'sdiag',
  'sattach',
  'sbcast',
  'sreport',
  'strigger',
];

export function pathWithout(dir: string, leaveOut: readonly string[]): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const bin of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (!existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      if (leaveOut.includes(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  return dir;
}
