/**
 * Downtime precision at the default settings: ROUNDS runs of the writer, each through a FaultProxy that
 * blackholes the path for OUTAGE_MS; the error is `downtime.ms` minus the injected outage (placed on the
 * writer's clock: the proxy runs in this process). Also checks that every run's bounds contain the truth,
 * and states the load the default rate puts on the primary (INFO stats of an undisturbed second).
 * `BENCH_RATES=200,1000` compares other rates beside the default.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WRITER_DEFAULTS } from '../functions/core/measure/defaults.js';
import { downtimeOf } from '../functions/core/measure/timings.js';
import { runWriter } from '../functions/core/measure/writer.js';

const DEFAULT_RATE = WRITER_DEFAULTS.rate;

import { createRedisClient } from '../functions/shared/redis-client.js';
import { FaultProxy } from '../local/redis/proxy.js';
import { RedisServer } from '../local/redis/server.js';
import { fmt } from './bench-kit.js';

const ROUNDS = 10;
const OUTAGE_MS = 1500;

interface Round {
  errorMs: number;
  contained: boolean;
}

async function blackholeRound(proxy: FaultProxy, rate: number, runId: string): Promise<Round> {
  const endpoint = `redis://${proxy.host}:${proxy.port}`;
  let zero = 0;
  const createClient = () => createRedisClient({ endpoint, connectionName: 'failover-drill-bench' });
  const run = runWriter(
    { runId, endpoint, rate, settleMs: 300, maxDurationMs: 30_000, ttlSeconds: 60 },
    {
      createClient,
      onEvent: (event) => {
        if (event.type === 'started') zero = event.zeroMs;
      },
    },
  );
  await sleep(500);
  const began = performance.now();
  proxy.blackhole();
  await sleep(OUTAGE_MS);
  const ended = performance.now();
  proxy.heal();
  const downtime = downtimeOf(await run);
  const [a, b] = [began - zero, ended - zero];
  const bounds = downtime.bounds;
  const contained =
    bounds !== null &&
    bounds.start.from !== null &&
    bounds.start.from <= a &&
    a <= bounds.start.to &&
    bounds.end.from <= b &&
    bounds.end.to !== null &&
    b <= bounds.end.to;
  if (process.env.BENCH_VERBOSE)
    process.stderr.write(
      `  before ${(a - (downtime.startMs ?? 0)).toFixed(2)} after ${((downtime.endMs ?? 0) - b).toFixed(2)} bounds ${JSON.stringify(bounds)} a ${a.toFixed(2)} b ${b.toFixed(2)}\n`,
    );
  return { errorMs: downtime.ms - (ended - began), contained };
}

/** Commands and bytes per second the writer puts on the primary, undisturbed. */
async function load(
  server: RedisServer,
  rate: number,
): Promise<{ ops: number; inBytes: number; outBytes: number }> {
  const stats = async () => {
    const info = await server.info('stats');
    return [
      Number(info.total_commands_processed),
      Number(info.total_net_input_bytes),
      Number(info.total_net_output_bytes),
    ];
  };
  const createClient = () =>
    createRedisClient({ endpoint: server.url, connectionName: 'failover-drill-bench' });
  const run = runWriter(
    {
      runId: `load${rate}`,
      endpoint: server.url,
      rate,
      maxDurationMs: 3000,
      ttlSeconds: 60,
      monitorIntervalMs: 50,
    },
    { createClient },
  );
  await sleep(1000);
  const before = await stats();
  const t0 = performance.now();
  await sleep(1000);
  const after = await stats();
  const seconds = (performance.now() - t0) / 1000;
  await run;
  // One stats call is itself a command; negligible beside the writer's.
  return {
    ops: (after[0]! - before[0]!) / seconds,
    inBytes: (after[1]! - before[1]!) / seconds,
    outBytes: (after[2]! - before[2]!) / seconds,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export default async function (): Promise<void> {
  const rates = [
    DEFAULT_RATE,
    ...(process.env.BENCH_RATES ?? '')
      .split(',')
      .filter(Boolean)
      .map(Number)
      .filter((r) => r !== DEFAULT_RATE),
  ];
  const server = await RedisServer.start({ name: 'bench-downtime' });
  const proxy = await FaultProxy.start({ target: server.endpoint });
  const lines: string[] = [
    `### Downtime precision (blackhole of ${fmt(OUTAGE_MS)} ms through a FaultProxy, ${ROUNDS} runs per rate; loadavg ${(await import('node:os')).loadavg()[0]!.toFixed(1)} at start)`,
    '',
    '| rate (writes/s) | median error (ms) | range (ms) | bounds contain the truth | load: commands/s, bytes/s in, out |',
    '| ---: | ---: | ---: | ---: | ---: |',
  ];
  try {
    for (const rate of rates) {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        rounds.push(await blackholeRound(proxy, rate, `precision${rate}r${i}`));
        await server.call('FLUSHALL');
      }
      const errors = rounds.map((r) => r.errorMs);
      const { ops, inBytes, outBytes } = await load(server, rate);
      await server.call('FLUSHALL');
      lines.push(
        `| ${fmt(rate)}${rate === DEFAULT_RATE ? ' (default)' : ''} | ${median(errors).toFixed(1)} | ${Math.min(...errors).toFixed(1)} to ${Math.max(...errors).toFixed(1)} | ${rounds.filter((r) => r.contained).length}/${ROUNDS} | ${fmt(ops)}, ${fmt(inBytes)}, ${fmt(outBytes)} |`,
      );
      process.stderr.write(`rate ${rate}: errors ${errors.map((e) => e.toFixed(1)).join(', ')}\n`);
    }
    lines.push('');
    process.stdout.write(lines.join('\n'));
  } finally {
    await proxy.close();
    await server.stop();
  }
}
