/**
 * Verifier keys/s (pipelined MGET of every write, the search for keys nobody wrote, classification) vs
 * redis-benchmark MGET keys/s, fairly: the same server, the same number of keys read (every one of them
 * existing, values of the same length), the same keys per MGET and the same MGETs in flight. The
 * redis-benchmark keys live in database 1, so that database 0 holds only the run's keys; a second
 * figure adds as many foreign keys to database 0, where the key count cannot decide and the verifier
 * SCANs the prefix.
 */
import { Redis } from 'ioredis';
import { type Verification, verify } from '../functions/core/measure/verify.js';
import { runWriter } from '../functions/core/measure/writer.js';
import { createRedisClient } from '../functions/shared/redis-client.js';
import { RedisServer } from '../local/redis/server.js';
import { fmt, redisBenchmark } from './bench-kit.js';

const WRITES = 500_000;
const BATCH = 1000;
const DEPTH = 8;
const ROUNDS = 3;
const BENCH_DB = 1;

/** `count` keys named as redis-benchmark's __rand_int__ (12 digits), values of `valueLength` bytes. */
async function populate(server: RedisServer, db: number, name: (n: number) => string, valueLength: number) {
  const redis = new Redis({ host: server.host, port: server.port, db });
  try {
    const value = 'v'.repeat(valueLength);
    for (let first = 0; first < WRITES; first += 10 * BATCH) {
      const pipeline = redis.pipeline();
      for (let from = first; from < Math.min(WRITES, first + 10 * BATCH); from += BATCH) {
        const args: string[] = [];
        for (let n = from; n < Math.min(WRITES, from + BATCH); n++) args.push(name(n), value);
        pipeline.mset(...args);
      }
      await pipeline.exec();
    }
  } finally {
    redis.disconnect();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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
    const payloadLength = `${summary.runId}/${summary.writerId}/${WRITES - 1}`.length;
    await populate(server, BENCH_DB, (n) => `key:${String(n).padStart(12, '0')}`, payloadLength);

    const verifyOnce = async (): Promise<Verification & { keysPerSecond: number }> => {
      const verification = await verify(summary, { createClient }, { batchSize: BATCH, depth: DEPTH });
      return { ...verification, keysPerSecond: (verification.keysRead * 1000) / verification.durationMs };
    };
    // -r WRITES draws from the WRITES existing keys; -n WRITES/BATCH MGETs read WRITES keys, as verify does.
    const mgetArgs = ['--dbnum', String(BENCH_DB), '-c', String(DEPTH), '-n', String(WRITES / BATCH)];
    mgetArgs.push('-r', String(WRITES), 'MGET', ...Array.from({ length: BATCH }, () => 'key:__rand_int__'));
    const baselineOnce = async () => (await redisBenchmark(server, mgetArgs)) * BATCH;

    await verifyOnce(); // warm-up
    await baselineOnce();
    const counted: Verification[] = [];
    const verifier: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const verification = await verifyOnce();
      counted.push(verification);
      verifier.push(verification.keysPerSecond);
      baseline.push(await baselineOnce());
    }

    // Foreign keys in the run's database: the count cannot rule out strays, the prefix is scanned.
    await populate(server, 0, (n) => `app:${String(n).padStart(12, '0')}`, payloadLength);
    const scanned: Verification[] = [];
    const scanning: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const verification = await verifyOnce();
      scanned.push(verification);
      scanning.push(verification.keysPerSecond);
    }

    const base = median(baseline);
    const last = (list: Verification[]) => list.at(-1)!;
    process.stdout.write(
      [
        `### Verifier (${fmt(WRITES)} keys, ${BATCH} keys per MGET, ${DEPTH} MGETs in flight; median of ${ROUNDS})`,
        '',
        '| | keys/s | ratio |',
        '| --- | ---: | ---: |',
        `| redis-benchmark MGET (${BATCH} existing keys, -c ${DEPTH}, ${fmt(WRITES)} keys) | ${fmt(base)} | 1.00 |`,
        `| verify, run's keys alone in db 0 (search: ${last(counted).unexpectedSearch}) | ${fmt(median(verifier))} | ${(median(verifier) / base).toFixed(2)} |`,
        `| verify, + ${fmt(WRITES)} foreign keys in db 0 (search: ${last(scanned).unexpectedSearch}) | ${fmt(median(scanning))} | ${(median(scanning) / base).toFixed(2)} |`,
        '',
        `rounds (keys/s): redis-benchmark ${baseline.map(fmt).join(', ')}; verify ${verifier.map(fmt).join(', ')}; verify with SCAN ${scanning.map(fmt).join(', ')}`,
        `lost ${last(counted).lost}/${last(scanned).lost}, unexpected ${last(counted).unexpected}/${last(scanned).unexpected}`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.stop();
  }
}
