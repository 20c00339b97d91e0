/**
 * Verifier keys/s (pipelined MGET of every write, SCAN of the run's prefix, classification) vs
 * redis-benchmark MGET keys/s with the same keys per MGET and the same requests in flight.
 */
import { verify } from '../functions/core/verify.js';
import { runWriter } from '../functions/core/writer.js';
import { createRedisClient } from '../functions/shared/redis-client.js';
import { RedisServer } from '../local/redis/server.js';
import { fmt, redisBenchmark } from './bench-kit.js';

const WRITES = 500_000;
const BATCH = 1000;
const DEPTH = 8;

export default async function (): Promise<void> {
  const server = await RedisServer.start({ name: 'bench-verifier' });
  try {
    const createClient = () => createRedisClient({ endpoint: server.url, commandTimeoutMs: 10_000 });
    const summary = await runWriter(
      {
        runId: 'bench',
        endpoint: server.url,
        rate: 0,
        concurrency: 16,
        maxDurationMs: 60_000,
        maxWrites: WRITES,
      },
      { createClient },
    );
    await verify(summary, { createClient }, { batchSize: BATCH, depth: DEPTH }); // warm-up
    const verification = await verify(summary, { createClient }, { batchSize: BATCH, depth: DEPTH });
    const verifier = (verification.keysRead * 1000) / verification.durationMs;

    // The same keys (12-digit random ints over a populated keyspace), BATCH per MGET, DEPTH in flight.
    await redisBenchmark(server, [
      '-t',
      'set',
      '-r',
      String(WRITES),
      '-n',
      String(WRITES),
      '-d',
      '32',
      '-P',
      '64',
    ]);
    const keys = Array.from({ length: BATCH }, () => 'key:__rand_int__');
    const mgets = await redisBenchmark(server, [
      '-c',
      String(DEPTH),
      '-n',
      '2000',
      '-r',
      String(WRITES),
      'MGET',
      ...keys,
    ]);
    const baseline = mgets * BATCH;

    process.stdout.write(
      [
        `### Verifier (${fmt(verification.keysRead)} keys, ${BATCH} keys per MGET, ${DEPTH} MGETs in flight)`,
        '',
        '| | keys/s |',
        '| --- | ---: |',
        `| redis-benchmark MGET (${BATCH} keys, -c ${DEPTH}) | ${fmt(baseline)} |`,
        `| failover-drill verify (read back, SCAN, classify) | ${fmt(verifier)} |`,
        `| ratio | ${(verifier / baseline).toFixed(2)} |`,
        '',
        `verify took ${(verification.durationMs / 1000).toFixed(2)} s; lost ${verification.lost}, unexpected ${verification.unexpected}`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
  }
}
