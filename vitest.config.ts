import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (fast, no external process) and `integration` (`*.int.test.ts`: starts
 * real PostgreSQL, pgBackRest, HAProxy and the moto server). `npm test` runs both.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.int.test.ts', 'packages/*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // Real servers: run files one at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
