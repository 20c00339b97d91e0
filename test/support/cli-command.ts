/**
 * How the tests start `failover-drill`: the Node arguments before the CLI's own. The suite builds the CLI
 * once per run (test/global-setup.ts, with scripts/build.mjs as `npm run build` builds the installed
 * package), so each CLI child loads JavaScript instead of compiling TypeScript through tsx: ~0.5 CPU-s
 * a run, ~100 runs a suite. Without that build (a file run by a tool other than vitest) it is the source
 * checkout's bin, as a user runs it.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/template.js';

/** Where test/global-setup.ts leaves the built CLI's entry for the test files (their environment). */
export const BUILT_CLI_ENV = 'FAILOVER_DRILL_TEST_CLI';

/** `process.execPath` takes these, then the CLI's arguments. */
export function cliCommand(): string[] {
  const built = process.env[BUILT_CLI_ENV];
  return built ? ['--enable-source-maps', built] : [join(PROJECT_ROOT, 'bin/failover-drill.js')];
}
