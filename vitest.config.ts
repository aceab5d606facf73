import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing running; integration tests share one real Kafka broker
// (single-node KRaft, started by test/helpers/global-setup.ts).
export default defineConfig({
  test: {
    // Native threads + GStreamer: one process per test file, never worker_threads.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 240_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Real decoding of generated streams end to end, no broker.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
