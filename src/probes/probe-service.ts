// Dispatch: which probe runs for a service kind. The one place that maps
// `kind:` to code, so the scheduler and `swarmctl smoke` stay kind-agnostic.
import type { NamedService } from '../config/resolve.js';
import type { ProbeContext } from './context.js';
import type { ProbeResult } from '../core/probe.js';
import { probeLlama } from './llama.js';
import { probeVllm } from './vllm.js';
import { probeHttp } from './http.js';
import { probeProxy } from './proxy.js';
import { probeNfs } from './nfs.js';
import { probeSshHost } from './ssh-host.js';
import { probeSlurm } from './slurm.js';
import { probeSystemd } from './systemd.js';

export function probeService(svc: NamedService, ctx: ProbeContext): Promise<ProbeResult> {
  switch (svc.kind) {
    case 'llama-server':
      return probeLlama(svc, ctx);
    case 'vllm':
      return probeVllm(svc, ctx);
    case 'http':
      return probeHttp(svc, ctx);
    case 'openai-proxy':
      return probeProxy(svc, ctx);
    case 'nfs':
      return probeNfs(svc, ctx);
    case 'ssh':
      return probeSshHost(svc, ctx);
    case 'slurm':
      return probeSlurm(svc, ctx);
    case 'systemd':
      return probeSystemd(svc, ctx);
  }
}
