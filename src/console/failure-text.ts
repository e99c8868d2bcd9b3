// A failed command as an operator reads it: the reason first, the argv never
// (describeFailure's "squeue -h -O JobID:…: exit 1: slurm_load_jobs error: …" buries
// the reason after a screen of format fields). Pure.

/** "squeue <argv>: exit 1: slurm_load_jobs error: Unable to contact …" -> "squeue failed: Unable to contact …". */
export function reasonFirst(error: string): string {
  const sep = error.indexOf(': ');
  if (sep < 0) return error;
  const program = error.slice(0, sep).split(' ')[0]!.split('/').pop()!;
  let rest = error.slice(sep + 2);
  let code = '';
  const exit = /^exit (\S+)(?:: (.*))?$/s.exec(rest);
  if (exit) {
    code = ` (exit ${exit[1]})`;
    rest = exit[2] ?? '';
  }
  // SLURM prefixes its message with the failing call's name ("slurm_load_jobs error: ").
  rest = rest.replace(/^[a-z_]+ error: /, '').trim();
  // The exit code only when there is no message to say more.
  return `${program} failed: ${rest || `no message${code}`}`;
}

/** Local wall-clock time of `ms` as HH:MM:SS (when stale data was taken). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
