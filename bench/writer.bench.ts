/**
 * Writer at maximum rate vs `redis-benchmark -t set` at the same concurrency (same server, same run), and
 * the writer's peak memory at 1 M writes.
 */
import { runWriter } from '../functions/core/measure/writer.js';
import { createRedisClient } from '../functions/shared/redis-client.js';
import { RedisServer } from '../local/redis/server.js';
import { fmt, redisBenchmark } from './bench-kit.js';

const CONCURRENCY = 16;
const MEMORY_WRITES = 1_000_000;

export default async function (): Promise<void> {
  const server = await RedisServer.start({ name: 'bench-writer' });
  try {
    const createClient = () => createRedisClient({ endpoint: server.url });
    const writeFor = async (runId: string, options: { maxDurationMs: number; maxWrites?: number }) => {
      const summary = await runWriter(
        { runId, endpoint: server.url, rate: 0, concurrency: CONCURRENCY, ...options },
        { createClient },
      );
      await server.call('FLUSHALL');
      return summary;
    };
    await writeFor('warmup', { maxDurationMs: 1000 });
    const baseline = await redisBenchmark(server, [
      '-t',
      'set',
      '-c',
      String(CONCURRENCY),
      '-n',
      '200000',
      '-d',
      '32',
    ]);
    const summary = await writeFor('throughput', { maxDurationMs: 5000 });
    const writer = (summary.acknowledged * 1000) / summary.durationMs;

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    }, 50);
    const big = await writeFor('memory', { maxDurationMs: 120_000, maxWrites: MEMORY_WRITES });
    clearInterval(sampler);
    const summaryBytes = Buffer.byteLength(JSON.stringify(big));

    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    process.stdout.write(
      [
        `### Writer (concurrency ${CONCURRENCY}, rate unlimited, one connection)`,
        '',
        '| | writes/s |',
        '| --- | ---: |',
        `| redis-benchmark -t set -c ${CONCURRENCY} -d 32 | ${fmt(baseline)} |`,
        `| failover-drill writer (SET … EX, timed, classified) | ${fmt(writer)} |`,
        `| ratio | ${(writer / baseline).toFixed(2)} |`,
        '',
        `### Writer memory (${fmt(big.attempted)} writes in ${(big.durationMs / 1000).toFixed(1)} s)`,
        '',
        '| | MB |',
        '| --- | ---: |',
        `| RSS before | ${mb(rssBefore)} |`,
        `| peak RSS | ${mb(peakRss)} |`,
        `| peak heap used | ${mb(peakHeap)} |`,
        `| summary JSON | ${(summaryBytes / 1024).toFixed(1)} KB |`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
  }
}
