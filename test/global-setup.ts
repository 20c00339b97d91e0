import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildPackage } from '../scripts/build.mjs';
import { BUILT_CLI_ENV } from './support/cli-command.js';

/**
 * Every process the suite starts lives in a temp dir under the suite's own TMPDIR (the kit starts
 * each redis-server with its directory as working directory; CLI subprocesses inherit TMPDIR).
 * So a redis-server left behind by the suite is one whose working directory lies under it.
 */
let suiteTmp = '';
/** Where each run builds the CLI its tests start. */
const BUILD_PARENT = 'node_modules/.cache/failover-drill-tests';
let built = '';

function suiteRedisPids(): string[] {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return pids.filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(suiteTmp);
    } catch {
      return false; // gone meanwhile
    }
  });
}

/**
 * The suite's TMPDIR, and the CLI built once as `npm run build` builds the package: the ~100 CLI children
 * the suite starts then load JavaScript, not TypeScript through tsx (test/support/cli-command.ts).
 */
export async function setup(): Promise<void> {
  suiteTmp = mkdtempSync(join(tmpdir(), 'failover-drill-suite-'));
  process.env.TMPDIR = suiteTmp;
  // Laid out as the installed package (package.json beside dist/), under node_modules so that the built
  // modules find the project's dependencies; a directory per run, as two runs may share a checkout.
  mkdirSync(BUILD_PARENT, { recursive: true });
  built = resolve(mkdtempSync(join(BUILD_PARENT, 'suite-')));
  await buildPackage('.', join(built, 'dist'));
  copyFileSync('package.json', join(built, 'package.json'));
  process.env[BUILT_CLI_ENV] = join(built, 'dist/cli/main.js');
}

/** The suite fails if any redis-server it started is still alive: every test must stop what it starts. */
export async function teardown(): Promise<void> {
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = suiteRedisPids();
    if (left.length === 0) break;
    await sleep(100);
  }
  rmSync(suiteTmp, { recursive: true, force: true });
  if (built) rmSync(built, { recursive: true, force: true });
  if (left.length > 0)
    throw new Error(`redis-server processes left running after the suite: ${left.join(', ')}`);
}
