import { defineConfig } from 'vitest/config';

// One config for unit and integration tests. Integration tests need the local
// test cluster (scripts/test-cluster.sh up); they fail loudly without it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests share one SLURM and one sshd; files run in parallel
    // but each test names its jobs uniquely.
    pool: 'forks',
  },
});
