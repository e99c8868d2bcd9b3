// The 200 loopback services both probe-sweep benches probe: 150 healthy, 20 hanging past the
// timeout, 20 refusing (a port just closed), 10 loading, on a few in-process test servers.
import { spawn } from 'node:child_process';
import { startTestServer } from '../../dist/testserver/llama-test-server.js';

/** [name, url] pairs (healthy first, then hang, refused, loading) and close() for the servers. */
export async function probeServices() {
  const healthy = await Promise.all(Array.from({ length: 10 }, () => startTestServer()));
  const hang = await Promise.all(Array.from({ length: 4 }, () => startTestServer({ mode: 'hang' })));
  const loading = await Promise.all(Array.from({ length: 2 }, () => startTestServer({ mode: 'loading' })));
  const refused = [];
  for (let i = 0; i < 20; i++) {
    const s = await startTestServer();
    refused.push(s.url);
    await s.close();
  }
  const services = [];
  for (let i = 0; i < 150; i++) services.push([`ok-${i}`, healthy[i % healthy.length].url]);
  for (let i = 0; i < 20; i++) services.push([`hang-${i}`, hang[i % hang.length].url]);
  for (let i = 0; i < 20; i++) services.push([`refused-${i}`, refused[i]]);
  for (let i = 0; i < 10; i++) services.push([`loading-${i}`, loading[i % loading.length].url]);
  const close = () => Promise.all([...healthy, ...hang, ...loading].map((s) => s.close()));
  return { services, close };
}

/** A numeric `--name N` argument, or the default. */
export const numArg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

/** Runs a child with stdout captured; resolves its wall time, exit code and output. */
export function timed(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], ...opts });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', (code) => resolve({ ms: performance.now() - t0, code, out }));
  });
}
