// The sandbox sshd's config text and host entry: loopback only, keys only, files in the folder.
import { describe, expect, it } from 'vitest';
import { knownHostsLine, sandboxHostEntry, sshdConfigText, sshdFilesOf } from '../../../src/sandbox/sshd-config.js';

const f = sshdFilesOf('/tmp/my sbx');

describe('sandbox sshd config', () => {
  it('listens on 127.0.0.1 only, with keys and the pid file in the folder (quoted when they hold a space)', () => {
    const text = sshdConfigText(f, { port: 40022, user: 'alice', path: '/usr/bin:/bin' });
    expect(text).toMatch(/^ListenAddress 127\.0\.0\.1:40022$/m);
    expect(text.match(/^ListenAddress/gm)).toHaveLength(1);
    expect(text).toContain('HostKey "/tmp/my sbx/ssh/host_ed25519"');
    expect(text).toContain('AuthorizedKeysFile "/tmp/my sbx/ssh/authorized_keys"');
    expect(text).toContain('PidFile "/tmp/my sbx/ssh/sshd.pid"');
    expect(text).toMatch(/^AllowUsers alice$/m);
    expect(text).toMatch(/^PasswordAuthentication no$/m);
    expect(text).toMatch(/^UsePAM no$/m);
    expect(text).toMatch(/^SetEnv PATH=\/usr\/bin:\/bin$/m);
  });
  it('refuses a value that would break out of its line', () => {
    expect(() => sshdConfigText(f, { port: 1, user: 'a\nPermitRootLogin yes', path: '/bin' })).toThrow(/cannot write/);
  });
  it('pins the host key for [127.0.0.1]:PORT and gives swarmctl a host without ControlMaster', () => {
    expect(knownHostsLine(40022, 'ssh-ed25519 AAAAC3Nz swarmctl-sandbox-host\n')).toBe('[127.0.0.1]:40022 ssh-ed25519 AAAAC3Nz\n');
    const h = sandboxHostEntry(f, 40022, 'alice');
    expect(h).toMatchObject({ address: '127.0.0.1', port: 40022, user: 'alice', identity_file: '/tmp/my sbx/ssh/client_ed25519' });
    expect(h.ssh_options).toEqual(['ControlMaster=no', 'UserKnownHostsFile="/tmp/my sbx/ssh/known_hosts"', 'GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes']);
  });
});
