import { defineConfig } from 'vitest/config';

/**
 * Two tiers (test/README.md). `unit` needs no redis-server, no local cloud and no browser: every test file
 * outside the folders below, guarded by test/support/unit-tier.ts. `integration` is those folders.
 * `npm test` runs both; `npm run test:unit` runs the first alone.
 */
export const INTEGRATION_FOLDERS = ['test/integration', 'test/e2e', 'test/conformance', 'test/bundles'];
const integration = INTEGRATION_FOLDERS.map((folder) => `${folder}/**/*.test.ts`);

export default defineConfig({
  test: {
    // Child processes, not threads: each test file owns its redis-server processes and its exit hooks.
    pool: 'forks',
    // Two files at a time, whatever the machine (vitest's default is one fewer than the cores: 1 here). Most
    // files wait on timers, redis-server and child processes far more than they compute, so a second file
    // fills the idle core; the timing tests hold under stress-ng --cpu 2 (scripts/stress-suite.sh).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
    // Handlers log through Powertools; tests assert on results, not on log lines.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', AWS_REGION: 'us-east-1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'functions/**/*.test.ts', 'local/**/*.test.ts', 'cli/**/*.test.ts'],
          exclude: integration,
          setupFiles: ['test/support/unit-tier.ts'],
        },
      },
      { extends: true, test: { name: 'integration', include: integration } },
    ],
  },
});
