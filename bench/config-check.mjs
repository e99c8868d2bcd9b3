// `config check` cost against config size: validates generated configs of N http
// services (each with host, url, and depends_on the first of its group of 100) in process through
// dist/config/load.js, and prints ms per 1,000 services for each N. A linear
// validator keeps that figure flat; the ratio of the largest N's figure to the
// smallest's is the superlinearity (1.0 = linear). Baseline: JSON.parse + a loop over
// the same services (the least a validator can do), also per 1,000 services.
// Usage: node bench/config-check.mjs [N ...]   (default 5000 10000 20000 38700)
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { loadConfigFile } = await import(process.env.CONFIG_LOAD_JS ?? '../dist/config/load.js');

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!sizes.length) sizes.push(5000, 10000, 20000, 38700);

function configText(n) {
  const lines = ['version: 1', 'cluster_name: bench', 'hosts:', '  h1:', '    address: 127.0.0.1', 'paths:', '  shared_root: /tmp/bench-share', 'services:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  svc-${i}:`, '    kind: http', '    host: h1', `    url: http://127.0.0.1:${10000 + (i % 50000)}/`);
    if (i % 100 !== 0) lines.push('    depends_on:', `      - svc-${i - (i % 100)}`);
  }
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'cfgbench-'));
const rows = [];
try {
  for (const n of sizes) {
    const file = join(dir, `c${n}.yaml`);
    const text = configText(n);
    writeFileSync(file, text);
    const runs = n >= 20000 ? 2 : 3;
    const ms = [];
    // CPU time, not wall time: the bench VMs are shared and wall time drifts with their load.
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const out = loadConfigFile(file);
      const c = process.cpuUsage(c0);
      ms.push((c.user + c.system) / 1000);
      if (!out.ok) throw new Error(`config of ${n} services did not validate: ${JSON.stringify(out.problems.slice(0, 2))}`);
    }
    const c0 = process.cpuUsage();
    const j = JSON.parse(JSON.stringify({ services: Object.fromEntries(Array.from({ length: n }, (_, i) => [`svc-${i}`, { kind: 'http', depends_on: [`svc-${i - 1}`] }])) }));
    let deps = 0;
    for (const s of Object.values(j.services)) deps += s.depends_on.length;
    const cb = process.cpuUsage(c0);
    const base = (cb.user + cb.system) / 1000;
    ms.sort((a, b) => a - b);
    const med = ms[Math.floor(ms.length / 2)];
    rows.push({ n, bytes: text.length, med, perK: (med / n) * 1000, basePerK: (base / n) * 1000, deps });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('services  size      check CPU ms   ms/1k svc   baseline ms/1k');
for (const r of rows)
  console.log(`${String(r.n).padStart(8)}  ${(r.bytes / 1e6).toFixed(1).padStart(5)} MB  ${r.med.toFixed(0).padStart(8)}   ${r.perK.toFixed(1).padStart(9)}   ${r.basePerK.toFixed(2).padStart(9)}`);
const first = rows[0];
const last = rows[rows.length - 1];
console.log(`superlinearity (ms/1k at ${last.n} / ms/1k at ${first.n}): ${(last.perK / first.perK).toFixed(2)} (1.0 = linear)`);
