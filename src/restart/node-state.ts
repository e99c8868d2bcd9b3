// The scontrol argv that drains or resumes one node. Pure.
export function nodeStateArgv(node: string, state: 'drain' | 'resume', reason?: string): string[] {
  const argv = ['scontrol', 'update', `nodename=${node}`, `state=${state}`];
  if (state === 'drain') argv.push(`reason=${reason ?? ''}`);
  return argv;
}
