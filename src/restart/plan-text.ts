// The restart plan as the operator reads it before saying yes: `swarmctl restart
// --dry-run` prints these lines and the console's confirmation shows the same ones,
// so the two can never describe different runs. Pure (the quoting is a pure function).
import { quoteForRemoteShell } from '../io/remote-quote.js';
import type { PlanStep } from './plan.js';

export function planLines(plan: readonly PlanStep[]): string[] {
  const out: string[] = [];
  for (const [i, s] of plan.entries()) {
    out.push(`${i + 1}. ${s.name} (${s.kind}) on ${s.host ?? 'local'}${s.dependsOn.length ? `, after ${s.dependsOn.join(', ')}` : ''}`);
    out.push(`   check: ${s.checks}`);
    for (const a of s.start) out.push(`   if down: $ ${quoteForRemoteShell(a)}`);
    if (s.noStart) out.push(`   if down: fails (${s.noStart})`);
    if (s.kind === 'swarm-jobs') out.push('   if any: $ swarmctl submit ISSUE... (skips issues with an active job)');
    out.push(`   verify: the check again, up to ${s.verifyTimeoutS} s with backoff`);
  }
  return out;
}
