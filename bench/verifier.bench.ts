/**
 * The verifier and Cleanup cost what the run wrote, never what the database holds.
 *
 * 1. Keys/s: verify (pipelined MGET of every write, the probe above them, the classification) vs
 *    redis-benchmark MGET over as many existing keys (values of the payload's length, the same keys per
 *    MGET, the same MGETs in flight; its keys in db 1, so that db 0 holds only the run's), and the same
 *    verify beside as many foreign keys in db 0 (the probe search: no count proof, no SCAN), against
 *    redis-benchmark with as many filler keys in its own database (hash tables of the same size).
 * 2. Size independence: verify + cleanup of a 60,000-write run on an empty database and beside 5,000,000
 *    foreign keys (DEBUG POPULATE), wall time and the server's CPU (INFO commandstats), beside what
 *    redis-benchmark needs for the same SET + MGET + DEL; and the bound of that ratio: the server's own
 *    busy time for the run (its main thread's CPU), which no client's wall time can go below.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { cleanup, cleanupTargetOf } from '../functions/core/measure/cleanup.js';
import { type Verification, verify } from '../functions/core/measure/verify.js';
import { runWriter } from '../functions/core/measure/writer.js';
import { createRedisClient } from '../functions/shared/redis-client.js';
import { parseInfo } from '../functions/shared/redis-info.js';
import { RedisServer } from '../local/redis/server.js';
import { fmt, redisBenchmark } from './bench-kit.js';

const WRITES = 500_000;
const RUN_WRITES = 60_000;
const FOREIGN = 5_000_000;
const BATCH = 1000;
const DEPTH = 8;
/**
 * Rounds of each comparison: single rounds swing by ±15 % (keys/s) to ±30 % (the size comparison) on 2
 * cores, and a median of 5 moved the keys/s ratio by ±0.07 from one idle run to the next.
 */
const ROUNDS = 11;
const SIZE_ROUNDS = 11;
const BENCH_DB = 1;

/** `WRITES` keys named as redis-benchmark's __rand_int__ (12 digits), values of `valueLength` bytes. */
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

/** `count` keys `rb:<12 digits>` (redis-benchmark's __rand_int__ names) in db 0, values of `valueLength` bytes. */
async function populateN(server: RedisServer, count: number, valueLength: number) {
  const redis = new Redis({ host: server.host, port: server.port });
  try {
    const value = 'v'.repeat(valueLength);
    const pipeline = redis.pipeline();
    for (let from = 0; from < count; from += BATCH) {
      const args: string[] = [];
      for (let n = from; n < Math.min(count, from + BATCH); n++)
        args.push(`rb:${String(n).padStart(12, '0')}`, value);
      pipeline.mset(...args);
    }
    await pipeline.exec();
  } finally {
    redis.disconnect();
  }
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Server CPU (µs) per command since the last CONFIG RESETSTAT (`calls`: the number of calls instead). */
async function serverMicros(server: RedisServer, field = 'usec'): Promise<Record<string, number>> {
  const stats = parseInfo((await server.call('INFO', 'commandstats')) as string);
  const out: Record<string, number> = {};
  const pattern = new RegExp(`(?:^|,)${field}=(\\d+)`);
  for (const [name, value] of Object.entries(stats)) {
    if (name.startsWith('cmdstat_')) out[name.slice(8)] = Number(pattern.exec(value)?.[1] ?? 0);
  }
  return out;
}

/**
 * The server's main thread's time on a CPU so far, ms (Linux /proc schedstat, ns): parsing, commands, I/O
 * and all. It runs every command in turn, so no run can take less wall time than it keeps this thread busy.
 */
function serverBusyMs(server: RedisServer): number {
  return Number(readFileSync(`/proc/${server.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

const callsOf = (calls: Record<string, number>): string =>
  Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, n]) => `${command} ${n}`)
    .join(', ');

const total = (micros: Record<string, number>): number => Object.values(micros).reduce((a, b) => a + b, 0);

export default async function (): Promise<void> {
  const server = await RedisServer.start({ name: 'bench-verifier' });
  const createClient = () => createRedisClient({ endpoint: server.url, commandTimeoutMs: 10_000 });
  const write = (runId: string, maxWrites: number) =>
    runWriter(
      { runId, endpoint: server.url, rate: 0, concurrency: 16, maxDurationMs: 120_000, maxWrites },
      { createClient },
    );
  const lines: string[] = [];
  try {
    // 1. Keys/s against redis-benchmark MGET
    const summary = await write('bench', WRITES);
    const payloadLength = `${summary.runId}/${summary.writerId}/${WRITES - 1}`.length;
    await populate(server, BENCH_DB, (n) => `key:${String(n).padStart(12, '0')}`, payloadLength);
    // Per key read: the client's CPU (this process, all threads) and the server's in MGET.
    type Costs = { clientNs: number; serverNs: number };
    const verifyOnce = async (): Promise<Verification & { keysPerSecond: number } & Costs> => {
      await server.call('CONFIG', 'RESETSTAT');
      const cpu = process.cpuUsage();
      const verification = await verify(summary, { createClient }, { batchSize: BATCH, depth: DEPTH });
      const { user, system } = process.cpuUsage(cpu);
      const mget = (await serverMicros(server)).mget ?? 0;
      return {
        ...verification,
        keysPerSecond: (verification.keysRead * 1000) / verification.durationMs,
        clientNs: ((user + system) * 1000) / verification.keysRead,
        serverNs: (mget * 1000) / verification.keysRead,
      };
    };
    const mgetArgs = ['--dbnum', String(BENCH_DB), '-c', String(DEPTH), '-n', String(WRITES / BATCH)];
    mgetArgs.push('-r', String(WRITES), 'MGET', ...Array.from({ length: BATCH }, () => 'key:__rand_int__'));
    const rbServerNs: number[] = [];
    const baselineOnce = async () => {
      await server.call('CONFIG', 'RESETSTAT');
      const keysPerSecond = (await redisBenchmark(server, mgetArgs)) * BATCH;
      rbServerNs.push((((await serverMicros(server)).mget ?? 0) * 1000) / WRITES);
      return keysPerSecond;
    };
    await verifyOnce(); // warm-up
    await baselineOnce();
    const alone: (Verification & Costs)[] = [];
    const [verifier, baseline] = [[] as number[], [] as number[]];
    for (let round = 0; round < ROUNDS; round++) {
      const verification = await verifyOnce();
      alone.push(verification);
      verifier.push(verification.keysPerSecond);
      baseline.push(await baselineOnce());
    }
    // Beside as many foreign keys: redis-benchmark's database grows by as many (filler) keys, so that both
    // read from a hash table of the same size (a larger one misses the CPU cache more often, for either).
    await populate(server, 0, (n) => `app:${String(n).padStart(12, '0')}`, payloadLength);
    await populate(server, BENCH_DB, (n) => `filler:${String(n).padStart(12, '0')}`, payloadLength);
    const beside: (Verification & Costs)[] = [];
    const besideRate: number[] = [];
    const besideBaseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const verification = await verifyOnce();
      beside.push(verification);
      besideRate.push(verification.keysPerSecond);
      besideBaseline.push(await baselineOnce());
    }
    const rbNs = median(rbServerNs.slice(1, ROUNDS + 1));
    const rbBesideNs = median(rbServerNs.slice(ROUNDS + 1));
    const ns = (list: Costs[], field: keyof Costs) => median(list.map((r) => r[field])).toFixed(0);
    const base = median(baseline);
    const besideBase = median(besideBaseline);
    const last = (list: Verification[]) => list.at(-1)!;
    lines.push(
      `### Verifier keys/s (${fmt(WRITES)} keys, ${BATCH} keys per MGET, ${DEPTH} MGETs in flight; median of ${ROUNDS})`,
      '',
      '| | keys/s | ratio |',
      '| --- | ---: | ---: |',
      `| redis-benchmark MGET (${BATCH} existing keys, -c ${DEPTH}, ${fmt(WRITES)} keys; median of ${baseline.length}) | ${fmt(base)} | 1.00 |`,
      `| verify, run's keys alone in db 0 (search: ${last(alone).unexpectedSearch}) | ${fmt(median(verifier))} | ${(median(verifier) / base).toFixed(2)} |`,
      `| redis-benchmark MGET, + ${fmt(WRITES)} filler keys in its db (median of ${besideBaseline.length}) | ${fmt(besideBase)} | 1.00 |`,
      `| verify, + ${fmt(WRITES)} foreign keys in db 0 (search: ${last(beside).unexpectedSearch}) | ${fmt(median(besideRate))} | ${(median(besideRate) / besideBase).toFixed(2)} |`,
      '',
      `rounds (keys/s): redis-benchmark ${baseline.map(fmt).join(', ')}; verify ${verifier.map(fmt).join(', ')}; redis-benchmark beside filler ${besideBaseline.map(fmt).join(', ')}; verify beside foreign keys ${besideRate.map(fmt).join(', ')}`,
      '',
      `CPU ns per key (medians): verify alone — client ${ns(alone, 'clientNs')}, server MGET ${ns(alone, 'serverNs')} (redis-benchmark's server MGET ${rbNs.toFixed(0)}); beside foreign keys — client ${ns(beside, 'clientNs')}, server MGET ${ns(beside, 'serverNs')} (redis-benchmark's ${rbBesideNs.toFixed(0)}).`,
      '',
    );
    await server.call('FLUSHALL');

    // 2. Verify + cleanup of a 60,000-write run: an empty server and one beside 5 M foreign keys, rounds
    //    alternating between them, so that the machine's other load weighs on both alike
    const full = await RedisServer.start({
      name: 'bench-foreign',
      config: { 'enable-debug-command': 'local' },
    });
    try {
      const populateBegan = performance.now();
      await full.call('DEBUG', 'POPULATE', FOREIGN);
      const populateMs = performance.now() - populateBegan;
      const drillOnce = async (on: RedisServer, runId: string) => {
        const create = () => createRedisClient({ endpoint: on.url, commandTimeoutMs: 10_000 });
        const run = await runWriter(
          {
            runId,
            endpoint: on.url,
            rate: 0,
            concurrency: 16,
            maxDurationMs: 120_000,
            maxWrites: RUN_WRITES,
          },
          { createClient: create },
        );
        await on.call('CONFIG', 'RESETSTAT');
        const busy = serverBusyMs(on);
        const began = performance.now();
        const verification = await verify(run, { createClient: create }, { batchSize: BATCH, depth: DEPTH });
        const cleaned = await cleanup(cleanupTargetOf(run, verification.probed.toSeq), {
          createClient: create,
        });
        const ms = performance.now() - began;
        const busyMs = serverBusyMs(on) - busy;
        const micros = await serverMicros(on);
        const calls = await serverMicros(on, 'calls');
        calls.info = (calls.info ?? 1) - 1; // not this bench's INFO commandstats just above
        // nor its CONFIG RESETSTAT
        for (const command of Object.keys(micros).filter((c) => c.startsWith('config'))) {
          delete micros[command];
          delete calls[command];
        }
        if (cleaned.deleted !== run.acknowledged)
          throw new Error(`deleted ${cleaned.deleted} of ${run.acknowledged}`);
        const { fromSeq, toSeq } = verification.probed;
        return {
          ms,
          busyMs,
          micros,
          calls: callsOf(calls),
          keysNamed: `${fmt(verification.keysRead + toSeq - fromSeq)} read, ${fmt(cleaned.keysNamed)} deleted`,
          search: verification.unexpectedSearch,
          scans: micros.scan ?? 0,
        };
      };
      type Round = Awaited<ReturnType<typeof drillOnce>>;
      const [empty, beside5m]: [Round[], Round[]] = [[], []];
      await drillOnce(server, 'warmup');
      await drillOnce(full, 'warmup');
      for (let round = 0; round < SIZE_ROUNDS; round++) {
        empty.push(await drillOnce(server, `empty${round}`));
        beside5m.push(await drillOnce(full, `full${round}`));
      }
      const dbsize = Number(await full.call('DBSIZE'));

      // redis-benchmark for the same work on the same servers: SET, then MGET and DEL of RUN_WRITES
      // existing keys of its own (beside the foreign keys on the full server)
      const rbWallMs = { mget: [] as number[], del: [] as number[] };
      const benchMicros = async (on: RedisServer, command: string, args: string[]) => {
        await on.call('CONFIG', 'RESETSTAT');
        // its own figure (requests/s), so that the wall time excludes the process's start
        const requestsPerSecond = await redisBenchmark(on, args);
        if (command === 'mget' || command === 'del')
          rbWallMs[command].push(((RUN_WRITES / BATCH) * 1000) / requestsPerSecond);
        return (await serverMicros(on))[command] ?? 0;
      };
      const keys = (command: string) => [command, ...Array.from({ length: BATCH }, () => 'rb:__rand_int__')];
      const baselineOn = async (on: RedisServer) => {
        const set = await benchMicros(on, 'set', [
          '-c',
          '16',
          '-n',
          String(RUN_WRITES),
          '-r',
          String(RUN_WRITES),
          '-d',
          String(payloadLength),
          '-t',
          'set',
        ]);
        await populateN(on, RUN_WRITES, payloadLength);
        const mget = await benchMicros(on, 'mget', [
          '-c',
          String(DEPTH),
          '-n',
          String(RUN_WRITES / BATCH),
          '-r',
          String(RUN_WRITES),
          ...keys('MGET'),
        ]);
        const del = await benchMicros(on, 'del', [
          '-c',
          String(DEPTH),
          '-n',
          String(RUN_WRITES / BATCH),
          '-r',
          String(RUN_WRITES),
          ...keys('DEL'),
        ]);
        await on.call('FLUSHDB');
        return { set, mget, del };
      };
      const writerSet = async (on: RedisServer) => {
        await on.call('CONFIG', 'RESETSTAT');
        await runWriter(
          {
            runId: 'cpu',
            endpoint: on.url,
            rate: 0,
            concurrency: 16,
            maxDurationMs: 120_000,
            maxWrites: RUN_WRITES,
          },
          { createClient: () => createRedisClient({ endpoint: on.url }) },
        );
        return (await serverMicros(on)).set ?? 0;
      };
      const [setEmpty, setFull] = [await writerSet(server), await writerSet(full)];
      await server.call('FLUSHALL');
      const rbEmpty = await baselineOn(server);
      const rbFull = await baselineOn(full); // last: its FLUSHDB takes the foreign keys too

      const ms = (list: Round[]) => median(list.map((r) => r.ms));
      const busy = (list: Round[]) => median(list.map((r) => r.busyMs));
      // The bound of the wall-time ratio. The server runs the drill's commands one after another, so a run's
      // wall time is at least its server CPU; a client whose own work all hides behind the server's reaches
      // exactly that, and the ratio becomes the server's own, empty / foreign, whatever the client does.
      // Only work the client does not hide, the same on both sides, lifts the ratio above it.
      const sizeBound = (): string[] => {
        const [se, sf] = [busy(empty), busy(beside5m)];
        const [ce, cf] = [us(empty) / 1000, us(beside5m) / 1000];
        const beyond = (list: Round[]) => median(list.map((r) => r.ms - r.busyMs));
        const needed = Math.max(0, (0.9 * sf - se) / 0.1);
        const [rbE, rbF] = [rbWallMs.mget[0]! + rbWallMs.del[0]!, rbWallMs.mget[1]! + rbWallMs.del[1]!];
        const rbCpu = (r: typeof rbEmpty) => r.set + r.mget + r.del;
        const same = (f: (r: Round) => string) =>
          new Set([...empty, ...beside5m].map(f)).size === 1 ? 'identical' : 'DIFFERENT';
        return [
          `| bound of the ratio (same run) | empty | beside ${fmt(FOREIGN)} | ratio |`,
          '| --- | ---: | ---: | ---: |',
          `| the drill: verify + cleanup, wall ms (median) | ${ms(empty).toFixed(1)} | ${ms(beside5m).toFixed(1)} | **${(ms(empty) / ms(beside5m)).toFixed(2)}** |`,
          `| **bound**: the server's main thread busy, ms (schedstat) — the wall of a client whose work all hides behind the server's | ${se.toFixed(1)} | ${sf.toFixed(1)} | **${(se / sf).toFixed(2)}** |`,
          `| the time in the commands themselves (INFO commandstats; wall time, so it can exceed the above under load), ms | ${ce.toFixed(1)} | ${cf.toFixed(1)} | ${(ce / cf).toFixed(2)} |`,
          `| the drill's wall beyond the server's busy time, ms (client work not hidden; median) | ${beyond(empty).toFixed(1)} | ${beyond(beside5m).toFixed(1)} | |`,
          `| redis-benchmark MGET + DEL of ${fmt(RUN_WRITES)} keys ×${BATCH}, wall ms | ${rbE.toFixed(1)} | ${rbF.toFixed(1)} | ${(rbE / rbF).toFixed(2)} |`,
          `| redis-benchmark SET + MGET + DEL, server CPU µs | ${fmt(rbCpu(rbEmpty))} | ${fmt(rbCpu(rbFull))} | ${(rbCpu(rbEmpty) / rbCpu(rbFull)).toFixed(2)} |`,
          '',
          `Commands (calls, every round): ${same((r) => r.calls)} empty vs foreign — ${empty[0]!.calls}; keys named: ${same((r) => r.keysNamed)} — ${empty[0]!.keysNamed}; SCAN calls ${fmt(Math.max(...[...empty, ...beside5m].map((r) => r.scans)))}.`,
          `Reaching 0.9 with this server would take ≥ ${needed.toFixed(0)} ms of client work left unhidden on both sides ((0.9 × ${sf.toFixed(1)} − ${se.toFixed(1)}) / 0.1); a client that hides more of its work moves the ratio toward ${(se / sf).toFixed(2)}, not above it.`,
        ];
      };
      const us = (list: Round[]) => median(list.map((r) => total(r.micros)));
      const read = (list: Round[]) => median(list.map((r) => total(r.micros) - (r.micros.unlink ?? 0)));
      const unlink = (list: Round[]) => median(list.map((r) => r.micros.unlink ?? 0));
      const byCommand = (list: Round[]) =>
        Object.entries(list.at(-1)!.micros)
          .sort((a, b) => b[1] - a[1])
          .map(([command, micros]) => `${command} ${fmt(micros)}`)
          .join(', ');
      lines.push(
        `### Verify + cleanup of a ${fmt(RUN_WRITES)}-write run: empty database vs ${fmt(FOREIGN)} foreign keys (median of ${SIZE_ROUNDS}, alternating)`,
        '',
        '| database | search | wall ms | server CPU µs (INFO commandstats) | SCAN calls |',
        '| --- | --- | ---: | ---: | ---: |',
        `| the run's keys only | ${empty.at(-1)!.search} | ${ms(empty).toFixed(0)} | ${fmt(us(empty))} | ${empty.at(-1)!.scans} |`,
        `| + ${fmt(FOREIGN)} foreign keys (DBSIZE ${fmt(dbsize)}) | ${beside5m.at(-1)!.search} | ${ms(beside5m).toFixed(0)} | ${fmt(us(beside5m))} | ${beside5m.at(-1)!.scans} |`,
        `| ratio (empty / foreign) | | **${(ms(empty) / ms(beside5m)).toFixed(2)}** | ${(us(empty) / us(beside5m)).toFixed(2)} | |`,
        '',
        `rounds (wall ms): empty ${empty.map((r) => r.ms.toFixed(0)).join(', ')}; foreign ${beside5m.map((r) => r.ms.toFixed(0)).join(', ')}. DEBUG POPULATE took ${fmt(populateMs)} ms.`,
        `server CPU by command, beside the foreign keys: ${byCommand(beside5m)}.`,
        '',
        `| server CPU µs for ${fmt(RUN_WRITES)} keys | the drill, empty | redis-benchmark, empty | the drill, beside ${fmt(FOREIGN)} | redis-benchmark, beside ${fmt(FOREIGN)} |`,
        '| --- | ---: | ---: | ---: | ---: |',
        `| SET (the writer's SET … EX, 16 in flight; redis-benchmark -t set -c 16) | ${fmt(setEmpty)} | ${fmt(rbEmpty.set)} | ${fmt(setFull)} | ${fmt(rbFull.set)} |`,
        `| read back (MGET ×${BATCH} of the writes and the probe window, INFO, DBSIZE; redis-benchmark MGET ×${BATCH} of existing keys) | ${fmt(read(empty))} | ${fmt(rbEmpty.mget)} | ${fmt(read(beside5m))} | ${fmt(rbFull.mget)} |`,
        `| delete (UNLINK ×${BATCH} of the writes and the probe window; redis-benchmark DEL ×${BATCH} of existing keys) | ${fmt(unlink(empty))} | ${fmt(rbEmpty.del)} | ${fmt(unlink(beside5m))} | ${fmt(rbFull.del)} |`,
        '',
        ...sizeBound(),
        '',
      );
    } finally {
      await full.stop();
    }
    process.stdout.write(lines.join('\n'));
  } finally {
    await server.stop();
  }
}
