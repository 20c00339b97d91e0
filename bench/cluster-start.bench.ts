/**
 * The local cloud's cluster start at 3, 16 and 64 shards (1 replica each): the time of each phase of
 * RedisCluster.start and each redis-server's resident memory once synced. The question it answers: what
 * makes a 64-shard start slow (process starts, CLUSTER MEET one by one, gossip convergence, replication).
 * Shard counts by argument (`npx tsx bench/cluster-start.bench.ts 3 16 64`) or, through the bench runner,
 * by CLUSTER_START_SHARDS (`CLUSTER_START_SHARDS=64 npm run bench -- cluster-start`).
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { nodeTimeoutMs } from '../local/elasticache/cluster-group.js';
import { type ClusterStartPhase, RedisCluster } from '../local/redis/cluster.js';

/** Seconds or MB with one decimal. */
const fmt = (n: number): string => n.toFixed(1);

/** A process's resident set (VmRSS) in KB, from /proc. */
async function rssKb(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
}

async function measure(shards: number): Promise<string> {
  const started = performance.now();
  const phases: [ClusterStartPhase, number][] = [];
  let last = started;
  const cluster = await RedisCluster.start({
    shards,
    replicas: 1,
    name: `bench-${shards}`,
    // The local cloud's own: 1 s up to 16 shards, bounded bus pings beyond.
    nodeTimeoutMs: nodeTimeoutMs(shards * 2),
    onPhase: (phase) => {
      const now = performance.now();
      phases.push([phase, now - last]);
      // Live on stderr: a start that never ends still says how far it got.
      process.stderr.write(
        `${shards} shards: ${phase} after ${fmt((now - started) / 1000)} s, load ${loadavg()[0]!.toFixed(1)}\n`,
      );
      last = now;
    },
  });
  const totalMs = performance.now() - started;
  try {
    const rss = await Promise.all(cluster.nodes.map((node) => rssKb(node.pid)));
    const perShardMb = rss.reduce((a, b) => a + b, 0) / 1024 / shards;
    const steps = phases.map(([phase, ms]) => `${phase} ${fmt(ms / 1000)} s`).join(', ');
    return `| ${shards} | ${fmt(totalMs / 1000)} s | ${steps} | ${fmt(perShardMb)} MB | ${loadavg()[0]!.toFixed(1)} |`;
  } finally {
    await cluster.stop();
  }
}

/** The shard counts asked for: arguments, else CLUSTER_START_SHARDS, else 3, 16 and 64. */
function counts(): number[] {
  const asked = [...process.argv.slice(2), ...(process.env.CLUSTER_START_SHARDS ?? '').split(/[ ,]+/)]
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return asked.length > 0 ? asked : [3, 16, 64];
}

export default async function main(): Promise<void> {
  console.log(`| shards | start | phases | RSS per shard (2 processes) | load at the end |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const shards of counts()) console.log(await measure(shards));
}

// Run directly (npx tsx bench/cluster-start.bench.ts 64) as well as by bench/run.ts.
if (process.argv[1]?.endsWith('cluster-start.bench.ts')) await main();
