import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 ships CJS (main) and ESM (module) builds; Node loads the CJS one for our
  // dependencies, so tests must too, or graphql sees two copies of itself.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts', 'clients/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on sockets, databases and timers rather than the CPU: on the 2-core CI
    // machine three files at a time halve the run without starving the timing-sensitive ones.
    maxWorkers: 3,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
