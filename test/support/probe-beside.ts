/**
 * The probe with client profiles beside it, as the Write handler runs them (the profiles' worker ready,
 * then the probe; the profiles started and stopped by its events), against a real Redis Cluster: the
 * probe's acknowledged-write latency and its event-loop delay while it writes. Shared by
 * test/integration/profile-isolation.test.ts and bench/isolation.bench.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientTarget } from '../../functions/core/measure/clients/client.js';
import { isolatedProfiles } from '../../functions/core/measure/clients/isolated.js';
import { resolveClientProfiles } from '../../functions/core/measure/clients/profile.js';
import { type ProfileRun, runClientProfiles } from '../../functions/core/measure/clients/run.js';
import { runShardWriters } from '../../functions/core/measure/clients/shards.js';
import { decodeHistogram, percentilesOf } from '../../functions/core/measure/latency.js';
import { runWriter } from '../../functions/core/measure/writer.js';
import { createRedisClient } from '../../functions/shared/redis-client.js';
import type { RedisCluster } from '../../local/redis/cluster.js';

/** The four profiles (realistic mode, cluster mode, 3 shards). */
export const FOUR_PROFILES = [
  'ioredis-defaults',
  'ioredis-recommended',
  'node-redis-defaults',
  'glide-defaults',
];

export interface ProbeTiming {
  /** The probe's acknowledged-write latency (no fault: all of it is "before the fault"), ms. */
  latency: { p99: number; max: number; count: number };
  /** The event-loop delay of the probe's thread from its first write to its stop, ms. */
  loopDelay: { p99: number; max: number };
  /** The same delay counting only the time this thread ran (loopStalls), ms. */
  loopStall: { max: number };
  /** The profiles' and shard writers' records. */
  runs: ProfileRun[];
}

/**
 * How the profiles run: `isolated` in their worker (the handler's way), `shared` on the probe's own event
 * loop (the way before it, kept for the bench's comparison), `none` the probe alone.
 */
export type Placement = 'isolated' | 'shared' | 'none';

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

/**
 * The event loop's own stalls: per tick of a `resolutionMs` timer, its lateness, counted only as far as
 * this thread ran in the meantime (its CPU time since the previous tick). monitorEventLoopDelay also
 * counts the time the thread waited for a core, which on a machine shared with other busy processes is
 * most of it, and is the same with or without the profiles; what the profiles would add on the probe's
 * loop (an import, their callbacks) is time this thread runs.
 */
function loopStalls(resolutionMs: number): { stop(): { max: number } } {
  const cpuMs = () => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  let wall = performance.now();
  let cpu = cpuMs();
  let max = 0;
  const timer = setInterval(() => {
    const [nowWall, nowCpu] = [performance.now(), cpuMs()];
    max = Math.max(max, Math.min(nowWall - wall - resolutionMs, nowCpu - cpu));
    [wall, cpu] = [nowWall, nowCpu];
  }, resolutionMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { max: Math.round(max * 100) / 100 };
    },
  };
}

/** One probe run of `durationMs` at the probe's default rate, pinned to the cluster's second shard. */
export async function probeBeside(
  cluster: RedisCluster,
  names: readonly string[],
  placement: Placement,
  runId: string,
  durationMs: number,
): Promise<ProbeTiming> {
  const endpoint = cluster.shards[0]!.nodes[0]!.url;
  const target: ClientTarget = { endpoint, cluster: true };
  const pin = [cluster.shards[1]!.slots];
  const shards = cluster.shards.map((shard, i) => ({ nodeGroupId: `000${i + 1}`, slots: [shard.slots] }));
  const base = { runId, prefix: 'failover-drill', ttlSeconds: 60 };
  const profiles = { profiles: resolveClientProfiles([...names]), settings: { ...base, cluster: true, pin } };
  const none = placement === 'none' || names.length === 0;
  const isolated = isolatedProfiles(
    none ? { profiles: { ...profiles, profiles: [] } } : { profiles, shards: { shards, settings: base } },
    target,
  );
  await isolated.ready();
  const controller = new AbortController();
  let shared: Promise<ProfileRun[][]> | undefined;
  const loop = monitorEventLoopDelay({ resolution: 2 });
  let stalls: ReturnType<typeof loopStalls> | undefined;
  let loopStall = { max: 0 };
  const summary = await runWriter(
    {
      runId,
      endpoint,
      cluster: true,
      pin,
      maxDurationMs: durationMs,
      baselineMs: durationMs,
      ttlSeconds: 60,
    },
    {
      createClient: () => createRedisClient({ endpoint, cluster: true }),
      onEvent: (event) => {
        if (event.type === 'started') {
          loop.enable();
          stalls = loopStalls(2);
          isolated.start();
          if (placement === 'shared')
            shared = Promise.all([
              runClientProfiles(profiles.profiles, profiles.settings, target, controller.signal),
              runShardWriters(shards, base, target, controller.signal),
            ]);
        }
        if (event.type === 'stopping') {
          loop.disable();
          loopStall = stalls?.stop() ?? loopStall;
          isolated.stop();
          controller.abort();
        }
      },
    },
  );
  const runs = [...(await isolated.done()), ...(await isolated.shards()), ...((await shared) ?? []).flat()];
  const latency = percentilesOf(decodeHistogram(summary.latency.before));
  return {
    latency: { p99: latency.p99 ?? 0, max: latency.max ?? 0, count: latency.count },
    loopDelay: { p99: ms(loop.percentile(99)), max: ms(loop.max) },
    loopStall,
    runs,
  };
}
