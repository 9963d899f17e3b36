import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['auditrail-source'] },
  ssr: { resolve: { conditions: ['auditrail-source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB binds one data directory per process: every test file runs in its own fork.
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
