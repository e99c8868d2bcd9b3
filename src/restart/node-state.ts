// The scontrol argv that drains or resumes one node. Pure.
export function nodeStateArgv(node: string, state: 'drain' | 'resume', reason?: string): string[] {
  const argv = ['scontrol', 'update', `nodename=${node}`, `state=${state}`];
  if (state === 'drain') argv.push(`reason=${reason ?? ''}`);
  return argv;
}

/** A SLURM node name as swarmctl accepts it (never an option, never shell text). */
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
