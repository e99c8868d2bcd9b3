// The test hosts' "network card": forwards HOST:PORT to 127.0.0.1:PORT in the same
// network namespace, because the llama-server-compatible test server binds loopback
// only (its safety rule) while a service on test host hN must answer on hN's address.
//   node tcp-forward.mjs HOST PORT
import { createConnection, createServer } from 'node:net';

const [host, port] = process.argv.slice(2);
const server = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: Number(port) });
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
});
server.listen({ host, port: Number(port), exclusive: true }, () => process.stdout.write(`${JSON.stringify({ forward: `${host}:${port}`, pid: process.pid })}\n`));
