// Starting the sandbox's own sshd (direct mode without SLURM): keys generated into <dir>/ssh
// (ssh-keygen via argv), a free loopback port, `sshd -D -e -f CONFIG` recorded like every process.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '../io/free-port.js';
import { stillSame } from '../io/proc.js';
import type { ProcRecord } from './records.js';
import { knownHostsLine, sandboxHostEntry, sshdConfigText, sshdFilesOf } from './sshd-config.js';
import { startRecorded } from './start.js';

/** The absolute path of `name` on env's PATH, or null. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const d of (env['PATH'] ?? '').split(delimiter)) {
    if (!d.startsWith('/')) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Why direct mode cannot run here (no sshd, ssh or ssh-keygen on PATH), or null. */
export function sshdMissing(env: NodeJS.ProcessEnv): string | null {
  const missing = ['sshd', 'ssh', 'ssh-keygen'].filter((n) => !onPath(n, env));
  return missing.length ? `no ${missing.join(', ')} on PATH` : null;
}

/** True once the port answers with an SSH banner. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(1000, () => done(false));
    c.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    c.once('error', () => done(false));
  });
}

/** One `ssh … true` as the submit will log in: '' when it works, else why not (e.g. a nologin shell). */
function loginWorks(host: ReturnType<typeof sandboxHostEntry>, env: NodeJS.ProcessEnv): Promise<string> {
  const o = host.ssh_options.flatMap((x) => ['-o', x]);
  const argv = [...o, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-p', String(host.port), '-i', host.identity_file, '-o', 'IdentitiesOnly=yes', '-l', host.user, '--', host.address, 'true'];
  return new Promise((resolve) =>
    execFile('ssh', argv, { env, timeout: 15_000 }, (err, out, stderr) => {
      const last = `${String(stderr)}\n${String(out)}`.trim().split('\n').pop();
      resolve(err ? `a test login (ssh ${host.user}@127.0.0.1 true) failed with exit ${String(err.code)}${last ? `: ${last}` : ''}` : '');
    }),
  );
}

function keygen(path: string, comment: string): void {
  if (existsSync(path)) return;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
  chmodSync(path, 0o600);
}

export interface SandboxSshd {
  rec: ProcRecord;
  port: number;
  host: ReturnType<typeof sandboxHostEntry>;
}

/** `record` is called the moment sshd starts (sandbox.json first, then the wait). */
export async function startSandboxSshd(sandboxDir: string, runDir: string, env: NodeJS.ProcessEnv, record: (rec: ProcRecord) => Promise<void>): Promise<SandboxSshd> {
  const f = sshdFilesOf(sandboxDir);
  mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  chmodSync(f.dir, 0o700);
  keygen(f.hostKey, 'swarmctl-sandbox-host');
  keygen(f.clientKey, 'swarmctl-sandbox-client');
  writeFileSync(f.authorizedKeys, readFileSync(`${f.clientKey}.pub`, 'utf8'), { mode: 0o600 });
  const user = userInfo().username;
  const sshd = onPath('sshd', env);
  if (!sshd) throw new Error('no sshd on PATH');
  const path = [dirname(process.execPath), ...(env['PATH'] ?? '/usr/bin:/bin').split(delimiter)].filter((d, i, a) => d.startsWith('/') && a.indexOf(d) === i).join(delimiter);
  const out = join(runDir, 'sshd.out');
  // Another process may take the free port before sshd binds it: a few tries.
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    writeFileSync(f.config, sshdConfigText(f, { port, user, path }), { mode: 0o600 });
    writeFileSync(out, '');
    const rec = startRecorded('sshd', [sshd, '-D', '-e', '-f', f.config], { out, env });
    await record(rec);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && stillSame(rec.pid, rec.startTime)) {
      if (await banner(port)) {
        writeFileSync(f.knownHosts, knownHostsLine(port, readFileSync(`${f.hostKey}.pub`, 'utf8')), { mode: 0o600 });
        const host = sandboxHostEntry(f, port, user);
        const bad = await loginWorks(host, env);
        if (!bad) return { rec, port, host };
        process.kill(rec.pid, 'SIGTERM');
        throw new Error(bad);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    last = readFileSync(out, 'utf8').trim().split('\n').pop() || 'no SSH banner within 5 s';
    if (stillSame(rec.pid, rec.startTime)) process.kill(rec.pid, 'SIGKILL');
  }
  throw new Error(`${sshd} did not start: ${last} (see ${out})`);
}
