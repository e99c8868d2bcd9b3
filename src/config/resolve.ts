// Turns a validated RawConfig into the ResolvedConfig every other layer uses:
// path defaults derived from shared_root, services and hosts carry their
// names. Pure: the home directory is passed in, nothing is read.
import type { HostConfig, RawConfig, ServiceConfig } from './schema.js';

export interface NamedHost extends HostConfig {
  name: string;
}
export interface NamedService extends Omit<ServiceConfig, 'start' | 'stop' | 'check'> {
  name: string;
  /** Always a list of argvs after resolving (one argv becomes a list of one). */
  start?: string[][];
  stop?: string[][];
  check?: string[][];
}

/** `[a, b]` (one argv) or `[[a, b], [c]]` (several) -> always a list of argvs. */
export function commandList(c: string[] | string[][] | undefined): string[][] | undefined {
  if (c === undefined) return undefined;
  return typeof c[0] === 'string' ? [c as string[]] : (c as string[][]);
}

export interface ResolvedPaths {
  shared_root: string;
  endpoints_dir: string;
  logs_dir: string;
  worktrees_dir: string;
  repo: string;
  telemetry_file: string;
  archive_dir: string;
}

export interface ResolvedConfig extends Omit<RawConfig, 'paths' | 'hosts' | 'services'> {
  /** The file this came from; relative paths in it were resolved against its folder. */
  source: string;
  paths: ResolvedPaths;
  hosts: Record<string, NamedHost>;
  services: Record<string, NamedService>;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return home + p.slice(1);
  return p;
}

export function resolveConfig(raw: RawConfig, source: string, home: string): ResolvedConfig {
  const root = raw.paths.shared_root.replace(/\/+$/, '') || '/';
  const repo = raw.paths.repo ?? `${root}/code/repo`;
  const paths: ResolvedPaths = {
    shared_root: root,
    endpoints_dir: raw.paths.endpoints_dir ?? `${root}/ai/endpoints`,
    logs_dir: raw.paths.logs_dir ?? `${root}/ai/logs`,
    worktrees_dir: raw.paths.worktrees_dir ?? `${root}/wt`,
    repo,
    telemetry_file: raw.paths.telemetry_file ?? `${repo}/.swarm-telemetry.jsonl`,
    archive_dir: raw.paths.archive_dir ?? `${root}/ai/archive`,
  };
  const hosts: Record<string, NamedHost> = {};
  for (const [name, h] of Object.entries(raw.hosts)) {
    hosts[name] = {
      ...h,
      name,
      ...(h.identity_file ? { identity_file: expandHome(h.identity_file, home) } : {}),
    };
  }
  const services: Record<string, NamedService> = {};
  for (const [name, s] of Object.entries(raw.services)) {
    const { start, stop, check, ...rest } = s;
    services[name] = {
      ...rest,
      name,
      ...(start ? { start: commandList(start) } : {}),
      ...(stop ? { stop: commandList(stop) } : {}),
      ...(check ? { check: commandList(check) } : {}),
      ...(s.api_key_file ? { api_key_file: expandHome(s.api_key_file, home) } : {}),
    };
  }
  return { ...raw, source, paths, hosts, services };
}
