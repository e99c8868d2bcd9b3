// `swarmctl cloud-key set --stdin [--service NAME]`: replaces the cloud proxy's key file
// (service api_key_file) atomically with mode 0600. The key is read from stdin, never
// echoed, logged, put on argv or in the audit (the audit row says only that it changed).
// The previous key is kept (a wrong new key must not lose the working one): copied to
// `.<file>.<timestamp>.prev` beside it, mode 0600, before the new one is renamed in.
import type { Command } from 'commander';
import { CliError, EXIT, examples, say, usageError } from '../output.js';
import type { GlobalOptions } from '../context.js';

export function register(program: Command): void {
  const ck = program.command('cloud-key').description('manage the cloud proxy API key file');
  ck.command('set')
    .description('write the key read from stdin to the service api_key_file (mode 0600, atomic)')
    .option('--stdin', 'read the key from stdin (required: a key never goes on the command line)')
    .option('--service <name>', 'the service whose api_key_file to write (default: the only one with api_key_file)')
    .addHelpText(
      'after',
      examples('swarmctl cloud-key set --stdin < ~/new-key', 'pass show swarm/cloud | swarmctl cloud-key set --stdin --service cloud-proxy') + '\nExit: 0 written, 2 failed, 64 usage.\n',
    )
    .action(async (opts: { stdin?: boolean; service?: string }, cmd: Command) => {
      if (!opts.stdin) throw usageError('pass --stdin: the key is read from standard input, never from argv');
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      const withKey = Object.values(cfg.services).filter((s) => s.api_key_file && (!opts.service || s.name === opts.service));
      if (withKey.length !== 1)
        throw usageError(
          withKey.length === 0
            ? 'no service with api_key_file' + (opts.service ? ` named ${opts.service}` : '')
            : `several services have api_key_file (${withKey.map((s) => s.name).join(', ')}): pass --service`,
        );
      const svc = withKey[0]!;
      // Typed or pasted on a terminal, the key would be echoed to the screen and scrollback.
      if (process.stdin.isTTY) throw usageError('stdin is a terminal: pipe the key in instead (swarmctl cloud-key set --stdin < key-file), so it is never shown');
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const key = Buffer.concat(chunks).toString('utf8').trim();
      if (key === '' || /[\r\n]/.test(key)) throw usageError('the key on stdin is empty or spans several lines');
      const { writeFileAtomic } = await import('../../io/atomic-write.js');
      const { chmod } = await import('node:fs/promises');
      const store = await openStoreFor(global, cfg);
      const { recordAudit } = await import('../../store/audit.js');
      const file = svc.api_key_file!;
      try {
        const kept = await keepPrevious(file);
        await writeFileAtomic(file, `${key}\n`, { mode: 0o600 });
        await chmod(file, 0o600);
        recordAudit(store, {
          action: 'cloud-key.set',
          outcome: 'ok',
          detail: `replaced ${file} for ${svc.name} (${key.length} characters)${kept ? `; previous key kept in ${kept} (mode 0600)` : ''}`,
          ...(kept ? { archived: { from: file, to: kept } } : {}),
        });
        say(`wrote ${file} (mode 0600) for ${svc.name}${kept ? `; previous key kept in ${kept}` : ''}`);
      } catch (e) {
        recordAudit(store, { action: 'cloud-key.set', outcome: 'failed', detail: `${file}: ${(e as Error).message}` });
        throw new CliError(`cannot write ${file}: ${(e as Error).message}`, EXIT.FAILED);
      } finally {
        store.close();
      }
    });
}

/** Copies the current key file (if any) to `.<name>.<stamp>.prev` beside it, mode 0600. */
async function keepPrevious(file: string): Promise<string | null> {
  const { readRegularFile, KiB } = await import('../../core/safe-read.js');
  const { basename, dirname, join } = await import('node:path');
  let old: Buffer;
  try {
    old = await readRegularFile(file, { what: 'key file', limit: 64 * KiB });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const { writeFileAtomic } = await import('../../io/atomic-write.js');
  const stamp = new Date().toISOString().replace(/[-:]/g, '');
  const kept = join(dirname(file), `.${basename(file)}.${stamp}.prev`);
  await writeFileAtomic(kept, old, { mode: 0o600 });
  return kept;
}
