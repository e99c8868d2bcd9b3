import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFailure, runLocal, sshArgv } from '../../../src/io/run.js';

// Running, not a zombie: a killed process whose new parent (PID 1 in a
// container) has not reaped it yet still answers kill(pid, 0).
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('runLocal', () => {
  it('returns stdout, stderr and the exit code', async () => {
    const r = await runLocal({ argv: [process.execPath, '-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'], timeoutMs: 10_000 });
    expect(r).toMatchObject({ stdout: 'out', stderr: 'err', exitCode: 3, timedOut: false, ok: false, where: 'local' });
    expect(describeFailure(r)).toMatch(/exit 3: err$/);
  });

  it('passes input on stdin (how secrets reach a child) and arguments verbatim', async () => {
    const r = await runLocal({
      argv: [process.execPath, '-e', 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s+"|"+process.argv[1]))', '$(id) `x` ;'],
      timeoutMs: 10_000,
      input: 'secret',
    });
    expect(r.stdout).toBe('secret|$(id) `x` ;\n');
  });

  it('cleanEnv passes only the given variables plus PATH/HOME', async () => {
    process.env['SWARMCTL_LEAK_CHECK'] = 'leaked';
    const r = await runLocal({
      argv: [process.execPath, '-e', 'console.log(JSON.stringify([process.env.SWARMCTL_LEAK_CHECK ?? null, process.env.MINE]))'],
      timeoutMs: 10_000,
      env: { MINE: 'a,b=c' },
      cleanEnv: true,
    });
    expect(JSON.parse(r.stdout)).toEqual([null, 'a,b=c']);
    delete process.env['SWARMCTL_LEAK_CHECK'];
  });

  it('reports a missing program as a result, not a throw', async () => {
    const r = await runLocal({ argv: ['/nonexistent/swarmctl-no-such-binary'], timeoutMs: 5_000 });
    expect(r.ok).toBe(false);
    expect(r.spawnError).toMatch(/ENOENT/);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmctl-run-'));
    const pidFile = join(dir, 'grandchild.pid');
    const script = `const {spawn}=require('node:child_process');const c=spawn('sleep',['60'],{stdio:'ignore'});require('node:fs').writeFileSync(${JSON.stringify(pidFile)},String(c.pid));setInterval(()=>{},1000);`;
    const started = Date.now();
    const r = await runLocal({ argv: [process.execPath, '-e', script], timeoutMs: 1_000 });
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(pidFile)).toBe(true);
    const gc = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 200));
    expect(alive(gc)).toBe(false);
  });
});

describe('sshArgv', () => {
  const host = { name: 'vasp-02', address: '10.0.0.21', user: 'root', port: 2222, identity_file: '/k', ssh_options: ['UserKnownHostsFile=/kh'] };
  it('never prompts, times out the connect, reuses a master, and quotes the remote command', () => {
    const a = sshArgv(host, { argv: ['pgrep', '-af', 'llama server'] }, { connectTimeoutS: 5, controlDir: '/run/x' });
    expect(a.slice(0, 5)).toEqual(['ssh', '-o', 'UserKnownHostsFile=/kh', '-o', 'BatchMode=yes']);
    expect(a).toContain('ConnectTimeout=5');
    expect(a).toContain('ControlMaster=auto');
    expect(a).toContain('ControlPath=/run/x/%C');
    expect(a.slice(-3)).toEqual(['--', '10.0.0.21', "exec pgrep -af 'llama server'"]);
    expect(a.join(' ')).toContain('-p 2222 -i /k -o IdentitiesOnly=yes -l root --');
  });
  it("puts the host's ssh_options first, so they win over the defaults (ssh keeps an option's first value)", () => {
    const a = sshArgv({ ...host, ssh_options: ['ControlMaster=no'] }, { argv: ['true'] }, { connectTimeoutS: 5, controlDir: '/run/x' });
    expect(a.slice(0, 3)).toEqual(['ssh', '-o', 'ControlMaster=no']);
    expect(a.indexOf('ControlMaster=no')).toBeLessThan(a.indexOf('ControlMaster=auto'));
  });
  it('refuses an address that would be read as an option', () => {
    expect(() => sshArgv({ ...host, address: '-oProxyCommand=x' }, { argv: ['true'] }, { connectTimeoutS: 5 })).toThrow(/may not start/);
  });
});
