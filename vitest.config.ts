import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two tiers (test/README.md). `unit` needs no redis-server, no local cloud and no browser: every test file
 * outside the folders below, guarded by test/support/unit-tier.ts. The rest is the integration tier.
 * `npm test` runs both; `npm run test:unit` runs `unit` alone.
 */
export const INTEGRATION_FOLDERS = ['test/integration', 'test/e2e', 'test/conformance', 'test/bundles'];
const integration = INTEGRATION_FOLDERS.map((folder) => `${folder}/**/*.test.ts`);

export default defineConfig({
  test: {
    // Child processes, not threads: each test file owns its redis-server processes and its exit hooks.
    pool: 'forks',
    // At least four files at a time (vitest's default is one fewer than the cores: 1 on a 2-core machine). Most
    // files wait on timers, redis-server and child processes, so more files than cores fill the idle time: on
    // 2 cores idle the suite took 388 s at two, 260 s at three and 226 s at four (2026-12-07, BENCHMARKS.md).
    maxWorkers: Math.max(4, availableParallelism()),
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
          // One module graph per worker, not one per file: the unit files share no state that a file
          // leaves behind (no server, no environment they do not restore), and importing the sources
          // again for every file was about half of the tier's CPU.
          isolate: false,
        },
      },
      // The files whose cases run whole drills concurrently run beside the others: the fault waits for the
      // probe to be measuring (core/drill/probe-measuring.ts), so a writer that starts late under load no
      // longer fails its drill.
      { extends: true, test: { name: 'integration', include: integration } },
    ],
  },
});
