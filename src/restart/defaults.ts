// The seed runbook's restart steps as defaults per service kind (issue 16 point 2);
// a service's own `start`, `detach`, `verify_timeout_s` in the config win. Pure.
import type { NamedService } from '../config/resolve.js';

/** The argvs a step runs to (re)start a service, or null when none is known for its kind. */
export function defaultStart(svc: NamedService): string[][] | null {
  if (svc.start) return svc.start;
  switch (svc.kind) {
    case 'nfs':
      return [
        ['systemctl', 'restart', 'nfs-kernel-server'],
        ['exportfs', '-rav'],
      ];
    case 'openai-proxy':
      return [['systemctl', '--user', 'restart', svc.name]];
    default:
      // llama-server/vllm need the model's own command line: the config must give `start`.
      return null;
  }
}

/** Model servers keep running after the SSH session closes only when detached. */
export function defaultDetach(svc: NamedService): boolean {
  return svc.detach ?? (svc.kind === 'llama-server' || svc.kind === 'vllm');
}

/** Seconds verify waits: a model load takes minutes, a systemctl restart seconds. */
export function defaultVerifyTimeoutS(svc: NamedService): number {
  if (svc.verify_timeout_s !== undefined) return svc.verify_timeout_s;
  return svc.kind === 'llama-server' || svc.kind === 'vllm' ? 600 : 60;
}

/**
 * A detached start: `setsid -f sh -c 'exec "$@" > LOG 2>&1 < /dev/null' sh LOG ARGV...`.
 * The script is a constant; the service's words are positional parameters, never shell text.
 */
export function detachedArgv(argv: readonly string[], log: string): string[] {
  return ['setsid', '-f', 'sh', '-c', 'log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null', 'swarmctl-start', log, ...argv];
}
