// Checks zod cannot express: references between sections and the
// depends_on graph. Pure; returns problems with the key path that holds them
// so the loader can attach line:column.

/** The loose view semantics needs: works on data that failed the schema too,
 *  so one `config check` reports schema AND reference problems together. */
export interface LooseConfig {
  hosts: Record<string, unknown>;
  services: Record<string, { kind?: unknown; host?: unknown; url?: unknown; health_url?: unknown; mount?: unknown; unit?: unknown; depends_on: string[] }>;
  swarm: { direct_host?: unknown; issue_id_pattern?: unknown };
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function looseView(data: unknown): LooseConfig {
  const d = asRecord(data);
  const services: LooseConfig['services'] = {};
  for (const [n, raw] of Object.entries(asRecord(d['services']))) {
    const s = asRecord(raw);
    const deps = Array.isArray(s['depends_on']) ? s['depends_on'].filter((x): x is string => typeof x === 'string') : [];
    services[n] = { kind: s['kind'], host: s['host'], url: s['url'], health_url: s['health_url'], mount: s['mount'], unit: s['unit'], depends_on: deps };
  }
  return { hosts: asRecord(d['hosts']), services, swarm: asRecord(d['swarm']) };
}

export interface SemanticProblem {
  path: (string | number)[];
  message: string;
}

export function checkSemantics(cfg: LooseConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const hostNames = new Set(Object.keys(cfg.hosts));
  const serviceNames = new Set(Object.keys(cfg.services));

  for (const [name, svc] of Object.entries(cfg.services)) {
    if (typeof svc.host === 'string' && !hostNames.has(svc.host)) {
      problems.push({
        path: ['services', name, 'host'],
        message: `unknown host "${svc.host}": add it under hosts: or fix the name (known: ${listOrNone(hostNames)})`,
      });
    }
    svc.depends_on.forEach((dep, i) => {
      if (!serviceNames.has(dep)) {
        problems.push({
          path: ['services', name, 'depends_on', i],
          message: `depends on unknown service "${dep}" (known: ${listOrNone(serviceNames)})`,
        });
      } else if (dep === name) {
        problems.push({ path: ['services', name, 'depends_on', i], message: 'a service cannot depend on itself' });
      }
    });
    const needsUrl = svc.kind === 'llama-server' || svc.kind === 'vllm' || svc.kind === 'openai-proxy' || svc.kind === 'http';
    if (needsUrl && !svc.url && !svc.health_url) {
      problems.push({ path: ['services', name], message: `a ${svc.kind} service needs url: or health_url:` });
    }
    if (svc.kind === 'nfs' && !svc.mount) {
      problems.push({ path: ['services', name], message: 'an nfs service needs mount: (the mount point to check)' });
    }
    if (svc.kind === 'ssh' && svc.host === undefined) {
      problems.push({ path: ['services', name], message: 'an ssh service needs host:' });
    }
    if (svc.kind === 'systemd' && svc.unit === undefined) {
      problems.push({ path: ['services', name], message: 'a systemd service needs unit: (e.g. dogfood-loop)' });
    }
  }
  if (typeof cfg.swarm.direct_host === 'string' && !hostNames.has(cfg.swarm.direct_host)) {
    problems.push({
      path: ['swarm', 'direct_host'],
      message: `unknown host "${cfg.swarm.direct_host}" (known: ${listOrNone(hostNames)})`,
    });
  }
  try {
    if (typeof cfg.swarm.issue_id_pattern === 'string') new RegExp(cfg.swarm.issue_id_pattern);
  } catch (e) {
    problems.push({ path: ['swarm', 'issue_id_pattern'], message: `not a valid regular expression: ${(e as Error).message}` });
  }
  const cycle = findCycle(cfg);
  if (cycle) {
    problems.push({
      path: ['services', cycle[0]!, 'depends_on'],
      message: `dependency cycle: ${cycle.join(' -> ')}`,
    });
  }
  return problems;
}

/**
 * The first depends_on cycle found (as a closed path a -> b -> a), or null. Iterative
 * (an explicit stack): a chain of 10,000 services overflowed the call stack when this
 * recursed.
 */
export function findCycle(cfg: Pick<LooseConfig, 'services'>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const deps = (n: string): string[] => (cfg.services[n]?.depends_on ?? []).filter((d) => d !== n && d in cfg.services); // others reported elsewhere
  for (const root of Object.keys(cfg.services).sort()) {
    if (state.has(root)) continue;
    // Each frame: a service on the current path and the index of its next dependency.
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 'visiting');
    while (path.length) {
      const n = path[path.length - 1]!;
      const ds = deps(n);
      const i = next[next.length - 1]!;
      if (i >= ds.length) {
        state.set(n, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const d = ds[i]!;
      const s = state.get(d);
      if (s === 'done') continue;
      if (s === 'visiting') return [...path.slice(path.indexOf(d)), d];
      state.set(d, 'visiting');
      path.push(d);
      next.push(0);
    }
  }
  return null;
}

function listOrNone(s: Set<string>): string {
  return s.size ? [...s].sort().join(', ') : 'none';
}
