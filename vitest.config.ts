import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Looks once whether PostgreSQL is there (and fails the run under CI=true when it is not).
    globalSetup: ['test/support/postgres-setup.ts'],
    // End-to-end tests start the real server as a child process; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
