/**
 * What one invocation sustains (issue 26's fan-out): N shard writers in one process, as a group of the
 * ShardWriterGroups Map runs them (runShardWriters on the invocation's own event loop), against a local
 * Redis Cluster. For each N: the writes a second achieved against those asked (each writer at its 100/s),
 * the event loop's delay p99 and max while they write (monitorEventLoopDelay), and the connections the
 * servers count. SHARD_WRITERS_PER_INVOCATION (functions/core/drill/writer-groups.ts) is chosen from it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_PROFILE_RATE } from '../functions/core/measure/clients/profile-keys.js';
import { runShardWriters } from '../functions/core/measure/clients/shards.js';
import { parseInfo } from '../functions/shared/redis-info.js';
import { RedisCluster } from '../local/redis/cluster.js';

const STEPS = (process.env.BENCH_WRITERS ?? '4,8,16,32,64').split(',').map(Number);
const SHARDS = 4;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);

export default async function (): Promise<void> {
  const cluster = await RedisCluster.start({ shards: SHARDS, replicas: 0, name: 'bench-fanout' });
  const rows: string[] = [];
  try {
    const target = { endpoint: cluster.shards[0]!.nodes[0]!.url, cluster: true };
    for (const n of STEPS) {
      // N writers, each pinned to one of the cluster's shards in turn, each under its own name (key space).
      const shards = Array.from({ length: n }, (_, i) => ({
        nodeGroupId: `w${String(i + 1).padStart(3, '0')}`,
        slots: [cluster.shards[i % SHARDS]!.slots],
      }));
      const controller = new AbortController();
      const loop = monitorEventLoopDelay({ resolution: 2 });
      const settings = { runId: `bench-fanout-${n}`, prefix: 'failover-drill', ttlSeconds: 60 };
      const running = runShardWriters(shards, settings, target, controller.signal);
      loop.enable();
      await sleep(DURATION_MS / 2);
      const infos = await Promise.all(cluster.nodes.map((node) => node.call('INFO', 'clients')));
      const connections = infos.reduce<number>(
        (sum, info) => sum + Number(parseInfo(String(info)).connected_clients ?? 0),
        0,
      );
      await sleep(DURATION_MS / 2);
      controller.abort();
      loop.disable();
      const runs = await running;
      const seconds = Math.max(...runs.map((run) => run.durationMs)) / 1000;
      const attempted = runs.reduce((sum, run) => sum + run.attempted, 0);
      const acknowledged = runs.reduce((sum, run) => sum + run.acknowledged, 0);
      const asked = n * DEFAULT_PROFILE_RATE;
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      rows.push(
        `| ${n} | ${asked} | ${Math.round(attempted / seconds)} | ${Math.round(acknowledged / seconds)} | ${((100 * attempted) / seconds / asked).toFixed(1)} % | ${ms(loop.percentile(99))} | ${ms(loop.max)} | ${connections} |`,
      );
      await Promise.all(cluster.nodes.map((node) => node.call('FLUSHALL')));
    }
    process.stdout.write(
      [
        `N shard writers in one process for ${DURATION_MS / 1000} s each, over a ${SHARDS}-shard local cluster;`,
        `each writer asks ${DEFAULT_PROFILE_RATE} writes/s; the event-loop delay is the writers' own loop, ms;`,
        'connections are what the servers count mid-run (every writer is a cluster client of its own).',
        '',
        '| writers | asked /s | attempted /s | acknowledged /s | achieved | loop delay p99 | loop delay max | connections |',
        '|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await cluster.stop();
  }
}
