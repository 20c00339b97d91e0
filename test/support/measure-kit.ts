/** Shared by the measure-*.test.ts files: run the real writer, verifier and report against the kit. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cleanup, cleanupTargetOf } from '../../functions/core/measure/cleanup.js';
import { decodeOutcomes, type OutcomeRanges, seqsOf } from '../../functions/core/measure/ranges.js';
import type { WriterSummary } from '../../functions/core/measure/summary.js';
import { type Verification, verify } from '../../functions/core/measure/verify.js';
import { runWriter, type WriterOptions } from '../../functions/core/measure/writer.js';
import { buildReport, type Report } from '../../functions/core/report/report.js';
import {
  createRedisClient,
  describeEndpoint,
  parseEndpoint,
  type RedisClientOptions,
} from '../../functions/shared/redis-client.js';
import type { RedisServer } from '../../local/redis/server.js';
import { cliCommand } from './cli-command.js';

export type Stoppable = { stop(): Promise<void> } | { close(): Promise<void> };

type Track = <T extends Stoppable>(thing: T) => T;

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `failover-drill measure` with the same Node as the tests (killed by `track`'s owner if still
 * running); resolves with the exit code, the JSON report and everything it printed.
 */
export function runMeasureCli(track: Track, args: string[], json: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [...cliCommand(), 'measure', '--json', json, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEASURE_TEST_PASSWORD: 'not-used', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  track({ stop: async () => void child.kill('SIGKILL') });
  const done = (async () => {
    const [code] = (await once(child, 'exit')) as [number | null];
    const text = await readFile(json, 'utf8');
    return { code, report: JSON.parse(text) as Report, output, json: text };
  })();
  return { child, done };
}

/** A temp directory removed with the test's other resources. */
export async function trackedTempDir(track: Track): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-drill-measure-'));
  track({ stop: () => rm(dir, { recursive: true, force: true }) });
  return dir;
}

/** Everything a test starts (servers, clusters, proxies), stopped in reverse order by afterEach. */
export function tracker(): { track<T extends Stoppable>(thing: T): T; stopAll(): Promise<void> } {
  const things: Stoppable[] = [];
  return {
    track(thing) {
      things.push(thing);
      return thing;
    },
    async stopAll() {
      for (const thing of things.splice(0).reverse()) {
        await ('stop' in thing ? thing.stop() : thing.close()).catch(() => {});
      }
    },
  };
}

/**
 * One test's own tracker, for files whose cases run concurrently (a file-wide afterEach would stop another
 * case's servers): everything it tracks is stopped when that test finishes, passed or failed.
 */
export function testTracker(onTestFinished: (fn: () => Promise<void>) => void): Track {
  const { track, stopAll } = tracker();
  onTestFinished(stopAll);
  return track;
}

export interface Measured {
  summary: WriterSummary;
  verification: Verification;
  report: Report;
  ranges: OutcomeRanges;
  deleted: number;
  /** performance.now() of the writer's zero: a test's own times minus this are writer ms. */
  zeroMs: number;
  /** Writer ms when the scheduler stopped: no slot is due after it (the drain that follows sends nothing). */
  stoppedAtMs: number;
}

/**
 * Runs the writer against `client.endpoint`, calls `scenario` once writes flow (after the baseline),
 * then verifies, reports and cleans up exactly as `measure` does.
 */
export async function measure(
  client: Omit<RedisClientOptions, 'connectionName'>,
  writer: Omit<WriterOptions, 'endpoint' | 'cluster' | 'runId'> & { runId?: string },
  scenario: () => Promise<void>,
): Promise<Measured> {
  const createClient = () => createRedisClient({ ...client, connectionName: 'failover-drill-test' });
  const { tls } = parseEndpoint(client.endpoint);
  const createReplicaClient = (address: { host: string; port: number }) =>
    createRedisClient({
      ...client,
      cluster: false,
      endpoint: describeEndpoint({ ...address, tls }),
      connectionName: 'failover-drill-test',
    });
  let zeroMs = 0;
  let stoppedAtMs = Number.NaN;
  let started!: () => void;
  const flowing = new Promise<void>((resolve) => {
    started = resolve;
  });
  const run = runWriter(
    {
      runId: `t${Date.now().toString(36)}`,
      endpoint: client.endpoint,
      cluster: client.cluster ?? false,
      ...writer,
    },
    {
      createClient,
      createReplicaClient,
      onEvent: (event) => {
        if (event.type === 'stopping') stoppedAtMs = event.atMs;
        if (event.type !== 'started') return;
        zeroMs = event.zeroMs;
        started();
      },
    },
  );
  await Promise.race([flowing, run]);
  await sleep((writer.baselineMs ?? 0) + 200);
  await scenario();
  const summary = await run;
  const verification = await verify(summary, { createClient });
  const report = buildReport({ summary, verification });
  const { deleted } = await cleanup(cleanupTargetOf(summary, verification.probed.toSeq), { createClient });
  const ranges = decodeOutcomes(summary.outcomes);
  return { summary, verification, report, ranges, deleted, zeroMs, stoppedAtMs };
}

/** The sequence numbers of the run's keys on one server, read directly (not through any proxy). */
export async function seqsOn(server: RedisServer, keyBase: string): Promise<Set<number>> {
  const seqs = new Set<number>();
  let cursor = '0';
  do {
    const [next, keys] = (await server.call('SCAN', cursor, 'MATCH', `${keyBase}:*`, 'COUNT', 1000)) as [
      string,
      string[],
    ];
    cursor = next;
    for (const key of keys) seqs.add(Number(key.slice(keyBase.length + 1)));
  } while (cursor !== '0');
  return seqs;
}

/** Polls until `check` holds (bounded). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function seqSet(ranges: OutcomeRanges, outcome: keyof OutcomeRanges): Set<number> {
  return new Set(seqsOf(ranges[outcome]));
}
