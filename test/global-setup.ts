import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

function redisPids(): Set<string> {
  try {
    return new Set(
      execFileSync('pgrep', ['-x', 'redis-server'], { encoding: 'utf8' }).split('\n').filter(Boolean),
    );
  } catch {
    return new Set(); // pgrep exits 1 when nothing matches
  }
}

let before = new Set<string>();

export function setup(): void {
  before = redisPids();
}

/** The suite fails if any redis-server it started is still alive: every test must stop what it starts. */
export async function teardown(): Promise<void> {
  let left: string[] = [];
  for (let i = 0; i < 20; i++) {
    left = [...redisPids()].filter((pid) => !before.has(pid));
    if (left.length === 0) return;
    await sleep(100);
  }
  throw new Error(`redis-server processes left running after the suite: ${left.join(', ')}`);
}
