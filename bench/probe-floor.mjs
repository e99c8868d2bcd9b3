// The floor baseline of bench/probe-sweep.mjs: the least a Node process can do to
// probe the same services. GET each URL with at most CONCURRENCY in flight and a
// TIMEOUT-second limit each, count the 200s, print one line of JSON.
// Usage: node bench/probe-floor.mjs URLS.json TIMEOUT_S CONCURRENCY
import { readFileSync } from 'node:fs';
import http from 'node:http';

const urls = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const timeoutMs = Number(process.argv[3]) * 1000;
let next = 0;
let done = 0;
let up = 0;
function probe() {
  const url = urls[next++];
  if (url === undefined) return;
  let finished = false;
  const finish = (ok) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    if (ok) up++;
    if (++done === urls.length) process.stdout.write(`${JSON.stringify({ up, total: done })}\n`);
    else probe();
  };
  const req = http.get(url, (res) => {
    res.resume();
    res.on('end', () => finish(res.statusCode === 200));
    res.on('error', () => finish(false));
  });
  req.on('error', () => finish(false));
  const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
}
for (let i = 0; i < Number(process.argv[4]); i++) probe();
