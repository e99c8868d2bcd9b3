// The sandbox's own sshd: its sshd_config, the known_hosts line for it, and the `hosts:` entry
// swarmctl's direct submit uses. Pure. Loopback only, keys only, as the invoking user.

export interface SshdFiles {
  /** <dir>/ssh, mode 0700. */
  dir: string;
  config: string;
  hostKey: string;
  clientKey: string;
  authorizedKeys: string;
  knownHosts: string;
  pidFile: string;
}

export function sshdFilesOf(sandboxDir: string): SshdFiles {
  const dir = `${sandboxDir}/ssh`;
  return {
    dir,
    config: `${dir}/sshd_config`,
    hostKey: `${dir}/host_ed25519`,
    clientKey: `${dir}/client_ed25519`,
    authorizedKeys: `${dir}/authorized_keys`,
    knownHosts: `${dir}/known_hosts`,
    pidFile: `${dir}/sshd.pid`,
  };
}

/** The name the sandbox's config gives its sshd host (job ids read `ssh:sandbox:PID`). */
export const SANDBOX_HOST = 'sandbox';

// sshd_config words may be double-quoted; a value holding a quote or newline is refused.
const word = (v: string): string => {
  if (/["\n\r]/.test(v)) throw new Error(`cannot write ${JSON.stringify(v)} into sshd_config`);
  return /[\s#]/.test(v) ? `"${v}"` : v;
};

/**
 * Non-root sshd works with StrictModes/UsePAM off and a user-owned host key; PATH is set for the
 * sessions (sshd's default may lack node, which the simulated workers need).
 */
export function sshdConfigText(f: SshdFiles, o: { port: number; user: string; path: string }): string {
  return [
    "# Written by `swarmctl sandbox up`: the sandbox's own sshd (loopback, keys only, this user only).",
    `ListenAddress 127.0.0.1:${o.port}`,
    `HostKey ${word(f.hostKey)}`,
    `AuthorizedKeysFile ${word(f.authorizedKeys)}`,
    `PidFile ${word(f.pidFile)}`,
    `AllowUsers ${word(o.user)}`,
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding no',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitTTY no',
    'UseDNS no',
    'PrintMotd no',
    'LogLevel ERROR',
    `SetEnv ${word(`PATH=${o.path}`)}`,
    '',
  ].join('\n');
}

/** `[127.0.0.1]:PORT <type> <key>` from the host key's .pub text. */
export function knownHostsLine(port: number, hostPub: string): string {
  const [type, key] = hostPub.trim().split(/\s+/);
  if (!type || !key) throw new Error('the sandbox host key .pub is malformed');
  return `[127.0.0.1]:${port} ${type} ${key}\n`;
}

/** The `hosts:` entry: no ControlMaster (no master process or socket outlives the sandbox). */
export function sandboxHostEntry(f: SshdFiles, port: number, user: string) {
  return {
    address: '127.0.0.1',
    port,
    user,
    identity_file: f.clientKey,
    // ssh splits UserKnownHostsFile on spaces (a list of files): one path with a space is quoted.
    ssh_options: ['ControlMaster=no', `UserKnownHostsFile=${/\s/.test(f.knownHosts) ? `"${f.knownHosts}"` : f.knownHosts}`, 'GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes'],
  };
}
