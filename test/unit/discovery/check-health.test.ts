// A discovered llama-server's /health, against the project's test server: 200 is up, the 503
// "Loading model" every route answers while a model loads is loading (not a failure), any other
// 503 or no answer is a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../src/discovery/discovery.js';
import { startTestServer, type TestServerHandle } from '../../../src/testserver/llama-test-server.js';

let server: TestServerHandle;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('checkHealth', () => {
  it('healthy: ok; loading: loading, not ok; hang: neither, with the timeout', async () => {
    expect(await checkHealth(`${server.url}/health`, 2000)).toMatchObject({ ok: true, detail: 'HTTP 200' });
    server.setMode('loading');
    const loading = await checkHealth(`${server.url}/health`, 2000);
    expect(loading).toMatchObject({ ok: false, loading: true, detail: 'HTTP 503 Loading model' });
    server.setMode('hang');
    const hung = await checkHealth(`${server.url}/health`, 300);
    expect(hung.ok).toBe(false);
    expect(hung.loading).toBeUndefined();
  });
});
