// SQLite stays on a local disk: its WAL needs shared memory that a network
// filesystem does not give (HPC homes are often NFS). Which filesystem holds a
// path comes from /proc/self/mountinfo (the longest mount point above it).
// SWARMCTL_MOUNTINFO names another mountinfo file: a test seam for types the test
// machine cannot mount (nfs4); fuse.sshfs is tested on a real mount.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NETWORK_FS = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'ncpfs',
  'afs',
  'lustre',
  'gpfs',
  'ceph',
  'glusterfs',
  'fuse.sshfs',
  'fuse.glusterfs',
  'fuse.cephfs',
  '9p',
  'beegfs',
  'panfs',
  'orangefs',
]);

/** `\040` etc. in mountinfo paths. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The mount point and fstype holding `path`, from mountinfo text. Pure. */
export function fsTypeOf(path: string, mountinfo: string): { mountPoint: string; fstype: string } | null {
  const abs = resolve(path);
  let best: { mountPoint: string; fstype: string } | null = null;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mp = unescape(left[4] ?? '');
    const fstype = right[0] ?? '';
    if (!mp) continue;
    const under = mp === '/' || abs === mp || abs.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    // Later lines win on equal length: a mount over a mount point hides the one below.
    if (under && (!best || mp.length >= best.mountPoint.length)) best = { mountPoint: mp, fstype };
  }
  return best;
}

export function readMountinfo(): string {
  try {
    return readFileSync(process.env['SWARMCTL_MOUNTINFO'] || '/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/** Network filesystem holding `path`, or null when local (or unknown). */
export function networkFs(path: string, mountinfo = readMountinfo()): { mountPoint: string; fstype: string } | null {
  const fs = fsTypeOf(path, mountinfo);
  return fs && NETWORK_FS.has(fs.fstype) ? fs : null;
}

/** The local fallback when the default state path is on a network filesystem. */
export function localStatePath(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  // /var/tmp: local on every cluster node we know, and it survives a reboot (the run records must).
  return join('/var/tmp', `swarmctl-${uid}`, 'swarmctl.db');
}
