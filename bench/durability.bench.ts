/**
 * Durable groups (issue 23): what each mode costs a write, and what a log lag costs a sync promotion.
 * Write latency of sequential SETs through the local disabled, sync and async groups' primary endpoints,
 * beside redis-benchmark on the same primary and SET + WAIT 1 0 (plain Redis's nearest to sync) in the
 * same run; then the downtime a sync promotion takes with a 0 ms and a 500 ms log lag.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { downtimeOf } from '../functions/core/measure/timings.js';
import { runWriter } from '../functions/core/measure/writer.js';
import { closeClient, createRedisClient, waitUntilReady } from '../functions/shared/redis-client.js';
import { PrimaryReplicaGroup } from '../local/elasticache/primary-replica-group.js';
import { fmt } from './bench-kit.js';

const WRITES = 5000;
const WARMUP = 1000;
const DOWNTIME_ROUNDS = 3;
type Mode = 'disabled' | 'sync' | 'async';

function startGroup(id: string, mode: Mode, replicationLagMs: number): Promise<PrimaryReplicaGroup> {
  return PrimaryReplicaGroup.start({
    id,
    replicas: 1,
    replicationLagMs,
    detectionDelayMs: 200,
    graceful: false,
    ...(mode === 'disabled' ? {} : { durability: { mode } }),
  });
}

const endpointOf = (group: PrimaryReplicaGroup) => {
  const { host, port } = group.view().nodeGroups[0]!.primaryEndpoint!;
  return `redis://${host}:${port}`;
};

/** p50 and p99 (ms) of `WRITES` sequential round trips of `write`. */
async function latency(write: (i: number) => Promise<unknown>): Promise<[number, number]> {
  // Warm the path (JIT, connection) first, so that the first mode measured pays no more than the others.
  for (let i = 0; i < WARMUP; i++) await write(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < WRITES; i++) {
    const start = performance.now();
    await write(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return [times[Math.floor(WRITES * 0.5)]!, times[Math.floor(WRITES * 0.99)]!];
}

/** redis-benchmark's p50 and p99 (ms) for SET on the group's primary itself, one client, no pipeline. */
async function redisBenchmarkLatency(endpoint: string): Promise<[number, number]> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const url = new URL(endpoint);
  const { stdout } = await promisify(execFile)('redis-benchmark', [
    ...['-h', url.hostname, '-p', url.port, '--csv', '-t', 'set', '-n', String(WRITES), '-c', '1'],
  ]);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const cells = (stdout.trim().split('\n').at(-1) ?? '').split(',').map((c) => Number(c.replaceAll('"', '')));
  return [cells[4]!, cells[6]!];
}

/** Median downtime (ms) of a sync promotion through the writer, the log `lagMs` behind. */
async function syncPromotionDowntime(lagMs: number): Promise<number> {
  const downtimes: number[] = [];
  for (let round = 0; round < DOWNTIME_ROUNDS; round++) {
    const group = await startGroup(`bench-sync-lag${lagMs}-${round}`, 'sync', lagMs);
    try {
      const endpoint = endpointOf(group);
      const run = runWriter(
        {
          runId: `durable${lagMs}r${round}`,
          endpoint,
          rate: 500,
          settleMs: 500,
          maxDurationMs: 30_000,
          ttlSeconds: 60,
        },
        { createClient: () => createRedisClient({ endpoint, connectionName: 'failover-drill-bench' }) },
      );
      await sleep(1000);
      await group.failover('0001', () => {});
      const summary = await run;
      downtimes.push(downtimeOf(summary).ms);
    } finally {
      await group.stop();
    }
  }
  downtimes.sort((a, b) => a - b);
  return downtimes[Math.floor(downtimes.length / 2)]!;
}

export default async function (): Promise<void> {
  const lines = [
    `### Durable groups: write latency by mode (${fmt(WRITES)} sequential SETs, one client) and the sync promotion`,
    '',
    '| path | p50 (ms) | p99 (ms) |',
    '| --- | ---: | ---: |',
  ];
  for (const mode of ['disabled', 'sync', 'async'] as const) {
    const group = await startGroup(`bench-${mode}`, mode, 0);
    const endpoint = endpointOf(group);
    const client = createRedisClient({ endpoint, connectionName: 'failover-drill-bench' });
    try {
      await waitUntilReady(client, 5000);
      const [p50, p99] = await latency((i) => client.set(`bench:${i}`, 'x'));
      lines.push(`| local ${mode} group, primary endpoint | ${p50.toFixed(3)} | ${p99.toFixed(3)} |`);
      if (mode === 'disabled') {
        const [w50, w99] = await latency(async (i) => {
          await client.set(`bench:w${i}`, 'x');
          await client.call('WAIT', '1', '0');
        });
        lines.push(`| same, SET then WAIT 1 0 | ${w50.toFixed(3)} | ${w99.toFixed(3)} |`);
        const [b50, b99] = await redisBenchmarkLatency(endpoint);
        lines.push(`| redis-benchmark SET, same endpoint | ${b50.toFixed(3)} | ${b99.toFixed(3)} |`);
      }
    } finally {
      await closeClient(client);
      await group.stop();
    }
  }
  const [none, lagged] = [await syncPromotionDowntime(0), await syncPromotionDowntime(500)];
  lines.push(
    '',
    `| sync promotion | median downtime (ms, ${DOWNTIME_ROUNDS} runs) |`,
    '| --- | ---: |',
    `| log lag 0 ms | ${fmt(none)} |`,
    `| log lag 500 ms | ${fmt(lagged)} |`,
    `| added by the lag | ${fmt(lagged - none)} |`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
