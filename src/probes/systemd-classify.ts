// What `systemctl is-active UNIT` says, as a probe status (pure). It prints one state word
// and exits 0 only for `active`; `activating` is a start in progress (loading, as a model
// server that is still loading); a machine without systemd as init says so on stderr.
import type { ProbeResult } from '../core/probe.js';

export function classifyIsActive(stdout: string, stderr: string, exitCode: number | null, unit: string): Pick<ProbeResult, 'status' | 'reason'> {
  const state = stdout.trim().split('\n')[0]?.trim() ?? '';
  const err =
    stderr
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  if (state === 'active' && exitCode === 0) return { status: 'up', reason: `${unit} is active` };
  if (state === 'activating' || state === 'reloading') return { status: 'loading', reason: `${unit} is ${state}` };
  if (state === 'deactivating') return { status: 'degraded', reason: `${unit} is deactivating` };
  if (state === 'inactive' || state === 'failed') return { status: 'down', reason: `${unit} is ${state}` };
  if (/not been booted with systemd|Failed to connect to bus/i.test(err)) return { status: 'unknown', reason: `systemd is not running there: ${err}` };
  if (state === 'unknown' || /could not be found|not-found/.test(`${state} ${err}`)) return { status: 'down', reason: `${unit} is not installed (${state || err})` };
  return { status: 'unknown', reason: `systemctl is-active ${unit}: ${state || err || `exit ${exitCode}`}` };
}
