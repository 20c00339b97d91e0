/**
 * The verifier: reads back every attempted write from the current primary (pipelined MGET; all keys of a
 * cluster run share one slot), rules out or finds keys nobody wrote under the run's prefix (a key count
 * when it proves there are none, else a SCAN of the prefix), classifies, and dates the loss. And cleanup: UNLINK of exactly the run's keys, per primary.
 */
import type { Cluster, Redis } from 'ioredis';
import { DataPlaneError } from '../../shared/errors.js';
import { closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { type Classification, Classifier } from './classify.js';
import { type Clock, systemClock } from './clock.js';
import { keyFor, keySlot, matchPattern, payloadMatcher, runKeyMatcher, seqOfKey } from './keys.js';
import { probePrimary } from './monitor.js';
import type { Outcome } from './outcomes.js';
import { decodeOutcomes, type SeqRange } from './ranges.js';
import { decodeAckLog } from './recorder.js';
import type { WriterSummary } from './summary.js';
import { type DataLossWindow, dataLossWindowOf } from './timings.js';

export interface Verification extends Classification {
  verifiedAtEpochMs: number;
  durationMs: number;
  /** The primary the run was read back from. */
  readFrom: { id: string; role: string; address?: string };
  dataLossWindow: DataLossWindow;
  /**
   * How keys nobody wrote were ruled out or found: `count` — the keyspace holding the run's keys (the
   * database, or in cluster mode the run's one slot) held exactly the keys read back, before and after the
   * read-back, so no other key exists under the prefix; `scan` — SCAN MATCH of the run's prefix.
   */
  unexpectedSearch: 'count' | 'scan';
}

export interface VerifyDeps {
  createClient: () => RedisClient;
  clock?: Clock;
}

export interface VerifyOptions {
  /** Keys per MGET. */
  batchSize?: number;
  /** MGETs in flight on the connection. */
  depth?: number;
  /** Bound on waiting for the endpoint to show a primary and on retrying a failed batch. */
  timeoutMs?: number;
}

const RETRY_DELAY_MS = 50;
/** Buckets per SCAN call: about 1 ms of the server's time each (Redis 7.0); see BENCHMARKS.md. */
const SCAN_COUNT = 1000;

export async function verify(
  summary: WriterSummary,
  deps: VerifyDeps,
  options: VerifyOptions = {},
): Promise<Verification> {
  const clock = deps.clock ?? systemClock;
  const began = clock.now();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = deps.createClient();
  // A SCAN, when needed, runs on its own connection so that it overlaps the read-back.
  const scanner = deps.createClient();
  try {
    await Promise.all([waitUntilReady(client, timeoutMs), waitUntilReady(scanner, timeoutMs)]);
    const readFrom = await retrying(timeoutMs, 'the endpoint showing a primary', client, async () => {
      const probe = await probePrimary(client, summary.slot);
      if (probe.role !== 'master')
        throw new DataPlaneError(`the endpoint serves a ${probe.role}, not a primary`);
      return { id: probe.id, role: probe.role, ...(probe.address ? { address: probe.address } : {}) };
    });
    const classifier = new Classifier(payloadMatcher(summary.runId, summary.writerId));
    const scan = (): Promise<void> =>
      scanKeys(scanner, [matchPattern(summary.keyBase)], timeoutMs, (keys) => {
        for (const key of keys) {
          const seq = seqOfKey(summary.keyBase, key);
          if (seq === undefined || seq >= summary.attempted) classifier.neverAttempted(key);
        }
      });
    const count = (): Promise<number | null> => countKeyspace(client, summary.slot, readFrom.address);
    // More keys than writes attempted: others share the keyspace, so the count cannot decide; scan at once.
    const before = await count();
    const countable = before !== null && before <= summary.attempted;
    await Promise.all([readBack(client, summary, classifier, options, timeoutMs), countable ? null : scan()]);
    let unexpectedSearch: Verification['unexpectedSearch'] = 'scan';
    if (countable) {
      if (before === classifier.keysFound && (await count()) === before) unexpectedSearch = 'count';
      else await scan();
    }
    const classification = classifier.result();
    return {
      ...classification,
      verifiedAtEpochMs: clock.epochMs(),
      durationMs: Math.round((clock.now() - began) * 100) / 100,
      readFrom,
      dataLossWindow: dataLossWindowOf(
        classification.lostRanges,
        decodeAckLog(summary.ackLog),
        summary.identity.promotedAtMs,
      ),
      unexpectedSearch,
    };
  } finally {
    await Promise.all([closeClient(client), closeClient(scanner)]);
  }
}

/**
 * Keys in the keyspace that holds the run's keys, in O(1): DBSIZE on the read-back connection, or in
 * cluster mode CLUSTER COUNTKEYSINSLOT of the run's slot on its owner. Null when it cannot be counted
 * (the scan decides then).
 */
async function countKeyspace(
  client: RedisClient,
  slot: number | null,
  owner: string | undefined,
): Promise<number | null> {
  try {
    if (!('nodes' in client)) return Number(await client.dbsize());
    if (slot === null || owner === undefined) return null;
    const node = client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
    return node ? Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot)) : null;
  } catch {
    return null;
  }
}

async function readBack(
  client: RedisClient,
  summary: WriterSummary,
  classifier: Classifier,
  options: VerifyOptions,
  timeoutMs: number,
): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  const depth = options.depth ?? 8;
  const ranges = decodeOutcomes(summary.outcomes);
  const batches = batchesOf(ranges, batchSize);
  const lane = async (): Promise<void> => {
    for (let batch = batches.next(); !batch.done; batch = batches.next()) {
      const { outcome, seqs } = batch.value;
      const keys = seqs.map((seq) => keyFor(summary.keyBase, seq));
      const values = await retrying(timeoutMs, 'reading back the writes', client, () =>
        client.mgetBuffer(keys),
      );
      for (let i = 0; i < seqs.length; i++)
        classifier.observe(seqs[i]!, outcome, values[i] ?? null, keys[i]!);
    }
  };
  await Promise.all(Array.from({ length: depth }, lane));
}

function* batchesOf(
  ranges: Record<Outcome, SeqRange[]>,
  size: number,
): Generator<{ outcome: Outcome; seqs: number[] }> {
  for (const outcome of ['ok', 'info', 'fail'] as const) {
    let seqs: number[] = [];
    for (const [first, last] of ranges[outcome]) {
      for (let seq = first; seq <= last; seq++) {
        seqs.push(seq);
        if (seqs.length === size) {
          yield { outcome, seqs };
          seqs = [];
        }
      }
    }
    if (seqs.length > 0) yield { outcome, seqs };
  }
}

/** What cleanup removes: a summary's keys, or a run's (prefix and run id) when no summary exists. */
export type CleanupTarget = Pick<WriterSummary, 'keyBase'> | { prefix: string; runId: string };

export interface CleanupDeps {
  createClient: () => RedisClient;
}

/** UNLINKs the run's keys: SCAN MATCH on exactly the run's own prefix, on every primary. */
export async function cleanup(
  target: CleanupTarget,
  deps: CleanupDeps,
  options: { timeoutMs?: number } = {},
): Promise<{ deleted: number }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const { patterns, test } =
    'keyBase' in target
      ? {
          patterns: [matchPattern(target.keyBase)],
          test: (key: string) => key.startsWith(`${target.keyBase}:`),
        }
      : runKeyMatcher(target.prefix, target.runId);
  const client = deps.createClient();
  let deleted = 0;
  try {
    await waitUntilReady(client, timeoutMs);
    await scanKeys(client, patterns, timeoutMs, async (keys, node) => {
      const bySlot = new Map<number, string[]>();
      for (const key of keys.filter(test)) {
        const slot = 'nodes' in client ? keySlot(key) : 0; // cluster: one UNLINK per slot (no CROSSSLOT)
        bySlot.set(slot, [...(bySlot.get(slot) ?? []), key]);
      }
      for (const group of bySlot.values()) {
        deleted += await retrying(timeoutMs, 'deleting the run keys', client, () => node.unlink(...group));
      }
    });
  } finally {
    await closeClient(client);
  }
  return { deleted };
}

/** SCAN MATCH over every primary (cluster) or the endpoint; each batch goes to `onKeys` with its node. */
async function scanKeys(
  client: RedisClient,
  patterns: string[],
  timeoutMs: number,
  onKeys: (keys: string[], node: Redis) => void | Promise<void>,
): Promise<void> {
  const nodes = 'nodes' in client ? await primaries(client, timeoutMs) : [client as Redis];
  for (const node of nodes) {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [nextCursor, keys] = await retrying(timeoutMs, 'scanning the run keys', client, () =>
          node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT),
        );
        cursor = nextCursor;
        if (keys.length > 0) await onKeys(keys, node);
      } while (cursor !== '0');
    }
  }
}

async function primaries(cluster: Cluster, timeoutMs: number): Promise<Redis[]> {
  await retrying(timeoutMs, 'refreshing the slot map', cluster, () => refreshSlots(cluster));
  return cluster.nodes('master');
}

function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) =>
    cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Reads and scans are idempotent, so unlike writes they are retried (bounded by time); in cluster mode
 * the slot map is refreshed between attempts, since the client follows no redirection by itself.
 */
export async function retrying<T>(
  timeoutMs: number,
  what: string,
  client: RedisClient,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (performance.now() >= deadline) {
        const message = error instanceof Error ? error.message : String(error);
        throw new DataPlaneError(`${what} failed for ${timeoutMs} ms: ${message}`);
      }
      if ('nodes' in client) await refreshSlots(client).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}
