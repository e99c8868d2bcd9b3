// Runnable entry for the llama-server-compatible test server, for the sbatch wrapper
// test, benchmarks and the sandbox, which need it as a separate process:
//
//   node dist/testserver/main.js --port 0 --mode healthy [--kind llama|proxy]
//        [--loading-ms N] [--api-key-file F] [--host 127.0.0.1] [--delay-ms N]
//        [--old-health ok|loading-model|error|no-slot-available] [--n-ctx N] [--slots N]
//        [--no-healthz] [--reset-seconds N]
//
// Prints one JSON line {"port":P,"pid":N} on stdout once listening, and exits 0 on
// SIGTERM or SIGINT after closing the server. Usage errors exit 64. The API key is
// read from a file (never taken on argv). Loopback only, like the server itself.

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { LLAMA_MODES, OLD_HEALTH_STATUSES, PROXY_MODES, startTestServer, type OldHealthStatus, type TestServerHandle, type TestServerMode, type TestServerOptions } from './llama-test-server.js';

export const USAGE =
  'usage: main.js [--port P] [--mode M] [--kind llama|proxy] [--loading-ms N] [--api-key-file F] ' +
  '[--host 127.0.0.1] [--delay-ms N] [--old-health ok|loading-model|error|no-slot-available] ' +
  '[--n-ctx N] [--slots N] [--no-healthz] [--reset-seconds N]';

export class ServerArgError extends Error {}

function intArg(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ServerArgError(`--${name} needs a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Turn argv (without node and script) into server options. Throws ServerArgError. */
export function parseMainArgs(argv: readonly string[], readKey: (path: string) => string = (p) => readFileSync(p, 'utf8')): TestServerOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        mode: { type: 'string' },
        kind: { type: 'string' },
        'loading-ms': { type: 'string' },
        'api-key-file': { type: 'string' },
        host: { type: 'string' },
        'delay-ms': { type: 'string' },
        'old-health': { type: 'string' },
        'n-ctx': { type: 'string' },
        slots: { type: 'string' },
        'no-healthz': { type: 'boolean' },
        'reset-seconds': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new ServerArgError((err as Error).message);
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);

  const kind = str('kind') ?? 'llama';
  if (kind !== 'llama' && kind !== 'proxy') throw new ServerArgError(`--kind must be llama or proxy, got ${kind}`);
  const mode = str('mode') ?? 'healthy';
  const modes: readonly string[] = kind === 'llama' ? LLAMA_MODES : PROXY_MODES;
  if (!modes.includes(mode)) throw new ServerArgError(`--mode for ${kind} must be one of: ${modes.join(', ')}`);

  const opts: TestServerOptions = { kind, mode: mode as TestServerMode, host: str('host') ?? '127.0.0.1' };
  const port = intArg('port', str('port'));
  if (port !== undefined) {
    if (port > 65535) throw new ServerArgError(`--port out of range: ${port}`);
    opts.port = port;
  }
  const loadingMs = intArg('loading-ms', str('loading-ms'));
  if (loadingMs !== undefined) opts.loadingForMs = loadingMs;
  const delayMs = intArg('delay-ms', str('delay-ms'));
  if (delayMs !== undefined) opts.delayMs = delayMs;
  const nCtx = intArg('n-ctx', str('n-ctx'));
  if (nCtx !== undefined) opts.nCtx = nCtx;
  const slots = intArg('slots', str('slots'));
  if (slots !== undefined) opts.totalSlots = slots;
  const reset = intArg('reset-seconds', str('reset-seconds'));
  if (reset !== undefined) opts.resetSeconds = reset;
  if (values['no-healthz'] === true) opts.proxyHealthz = false;

  const old = str('old-health');
  if (old !== undefined) {
    const status = old.replace(/-/g, ' ');
    if (!(OLD_HEALTH_STATUSES as readonly string[]).includes(status)) {
      throw new ServerArgError('--old-health must be ok, loading-model, error or no-slot-available');
    }
    opts.oldHealth = status as OldHealthStatus;
  }

  const keyFile = str('api-key-file');
  if (keyFile !== undefined) {
    let key: string;
    try {
      key = readKey(keyFile).replace(/[\r\n]+$/, '');
    } catch (err) {
      throw new ServerArgError(`cannot read --api-key-file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (key.trim() === '') throw new ServerArgError('--api-key-file is empty');
    opts.apiKey = key;
  }
  return opts;
}

export interface MainIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Start the server and print the ready line. Returns the handle (for in-process use). */
export async function runMain(
  argv: readonly string[],
  io: MainIo = {
    stdout: (l) => process.stdout.write(`${l}\n`),
    stderr: (l) => process.stderr.write(`${l}\n`),
  },
): Promise<TestServerHandle> {
  const opts = parseMainArgs(argv);
  const handle = await startTestServer(opts);
  io.stdout(JSON.stringify({ port: handle.port, pid: process.pid }));
  return handle;
}

async function cli(): Promise<void> {
  let handle: TestServerHandle;
  try {
    handle = await runMain(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    if (err instanceof ServerArgError) process.stderr.write(`${USAGE}\n`);
    process.exit(err instanceof ServerArgError ? 64 : 1);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) void cli();
