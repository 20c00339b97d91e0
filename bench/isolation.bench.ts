/**
 * The probe's timing beside the four client profiles (ioredis-defaults, ioredis-recommended,
 * node-redis-defaults, glide-defaults) and the shard writers, cluster mode over 3 shards: the probe alone,
 * the profiles in their worker (as the Write handler runs them) and, for comparison, on the probe's own
 * event loop (as before). ROUNDS rounds, the three placements alternating within each so that the
 * machine's load falls on all three alike; the medians and the worst of each.
 */
import { RedisCluster } from '../local/redis/cluster.js';
import {
  FOUR_PROFILES,
  type Placement,
  type ProbeTiming,
  probeBeside,
} from '../test/support/probe-beside.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = 3000;
const PLACEMENTS: Placement[] = ['none', 'isolated', 'shared'];

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export default async function (): Promise<void> {
  const cluster = await RedisCluster.start({ shards: 3, replicas: 0, name: 'bench-isolation' });
  try {
    const timings: Record<Placement, ProbeTiming[]> = { none: [], isolated: [], shared: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const placement of PLACEMENTS) {
        const names = placement === 'none' ? [] : FOUR_PROFILES;
        timings[placement].push(
          await probeBeside(cluster, names, placement, `bench-${placement}-${round}`, DURATION_MS),
        );
        await Promise.all(cluster.nodes.map((node) => node.call('FLUSHALL')));
      }
    }
    const row = (placement: Placement, label: string) => {
      const t = timings[placement];
      const cell = (values: number[]) => `${median(values).toFixed(2)} (${Math.max(...values).toFixed(2)})`;
      return `| ${label} | ${cell(t.map((x) => x.latency.p99))} | ${cell(t.map((x) => x.latency.max))} | ${cell(t.map((x) => x.loopDelay.p99))} | ${cell(t.map((x) => x.loopDelay.max))} | ${cell(t.map((x) => x.loopStall.max))} |`;
    };
    process.stdout.write(
      [
        `The probe at its default 1,000 writes/s for ${DURATION_MS / 1000} s, pinned to one of 3 shards; ${ROUNDS} rounds;`,
        'median (worst) of the rounds, ms. No fault: all of it is the latency before the fault. The event-loop',
        "delay is monitorEventLoopDelay's around the probe; a loop stall counts only the time the probe's thread",
        'ran (its CPU time), not its waits for a core (test/support/probe-beside.ts).',
        '',
        '| profiles | probe p99 | probe max | event-loop delay p99 | event-loop delay max | loop stall max |',
        '|---|---|---|---|---|---|',
        row('none', 'none (the probe alone)'),
        row('isolated', 'four + 3 shard writers, in their worker'),
        row('shared', "four + 3 shard writers, on the probe's loop (before)"),
        '',
      ].join('\n'),
    );
  } finally {
    await cluster.stop();
  }
}
