/** Shared by the measure benches: redis-benchmark in the same run, against the same server. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RedisServer } from '../local/redis/server.js';

const run = promisify(execFile);

/** Requests per second of one redis-benchmark test (its CSV output). */
export async function redisBenchmark(server: RedisServer, args: string[]): Promise<number> {
  const { stdout } = await run(
    'redis-benchmark',
    ['-h', server.host, '-p', String(server.port), '--csv', ...args],
    { maxBuffer: 1 << 24 },
  );
  const lines = stdout.trim().split('\n');
  const last = lines.at(-1) ?? '';
  const rps = Number(last.split(',')[1]?.replaceAll('"', ''));
  if (!Number.isFinite(rps)) throw new Error(`cannot read redis-benchmark output: ${stdout}`);
  return rps;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
