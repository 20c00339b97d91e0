import { execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Every process the suite starts lives in a temp dir under the suite's own TMPDIR (the kit starts
 * each redis-server with its directory as working directory; CLI subprocesses inherit TMPDIR).
 * So a redis-server left behind by the suite is one whose working directory lies under it.
 */
let suiteTmp = '';

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

export function setup(): void {
  suiteTmp = mkdtempSync(join(tmpdir(), 'failover-drill-suite-'));
  process.env.TMPDIR = suiteTmp;
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
  if (left.length > 0)
    throw new Error(`redis-server processes left running after the suite: ${left.join(', ')}`);
}
