/**
 * The verifier, in O(writes): reads back every attempted write from the current primary (pipelined MGET;
 * all keys of a cluster run share one slot), probes the sequence space above the last attempted write,
 * and in cluster mode lists the run's own slot, for keys nobody in the summary wrote; classifies, and
 * dates the loss. It never iterates the database (no SCAN, no KEYS): what it reads is what the run wrote
 * plus a bounded window (docs/measurement.md: What the search for unexpected writes covers).
 */
import type { Cluster } from 'ioredis';
import { DataPlaneError } from '../../shared/errors.js';
import { closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { type Classification, Classifier } from './classify.js';
import { type Clock, systemClock } from './clock.js';
import { keysFor, payloadMatcher, probeWindow, SLOT_LISTING_FOREIGN_MAX, seqOfKey } from './keys.js';
import { probePrimary } from './monitor.js';
import { decodeOutcomes, type SeqRange } from './ranges.js';
import { decodeAckLog } from './recorder.js';
import { lanes, retrying } from './retry.js';
import type { WriterSummary } from './summary.js';
import { type DataLossWindow, dataLossWindowOf } from './timings.js';

export interface Verification extends Classification {
  verifiedAtEpochMs: number;
  durationMs: number;
  /** The primary the run was read back from. */
  readFrom: { id: string; role: string; address?: string };
  dataLossWindow: DataLossWindow;
  /**
   * How keys nobody wrote were looked for, beyond every attempted key read back and the probe above them:
   * `count` — the keyspace holding the run's keys (the database; in cluster mode the run's one slot) held
   * exactly the keys found, before and after, so no other key exists there at all; `slot` — cluster mode:
   * every key of the run's slot listed (CLUSTER GETKEYSINSLOT), those under the run's key base checked;
   * `probe` — standalone beside other keys: the read-back and the probe only.
   */
  unexpectedSearch: 'count' | 'slot' | 'probe';
  /** The sequence numbers probed above the last attempted write: [fromSeq, toSeq). Cleanup deletes them too. */
  probed: { fromSeq: number; toSeq: number; found: number };
  /** Cluster mode, `slot`: keys listed in the run's slot, and those not under the run's key base. */
  slotKeys: { listed: number; foreign: number } | null;
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

/** Probe windows read at most: the probe goes on past a window only while the window held a key. */
const MAX_PROBE_WINDOWS = 20;

export async function verify(
  summary: WriterSummary,
  deps: VerifyDeps,
  options: VerifyOptions = {},
): Promise<Verification> {
  const clock = deps.clock ?? systemClock;
  const began = clock.now();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = deps.createClient();
  try {
    await waitUntilReady(client, timeoutMs);
    const readFrom = await retrying(timeoutMs, 'the endpoint showing a primary', client, async () => {
      const probe = await probePrimary(client, summary.slot);
      if (probe.role !== 'master')
        throw new DataPlaneError(`the endpoint serves a ${probe.role}, not a primary`);
      return { id: probe.id, role: probe.role, ...(probe.address ? { address: probe.address } : {}) };
    });
    const classifier = new Classifier(payloadMatcher(summary.runId, summary.writerId));
    const count = (): Promise<number | null> => countKeyspace(client, summary.slot, readFrom.address);
    const before = await count();
    await readBack(client, summary, classifier, options, timeoutMs);
    const probed = await probeAbove(client, summary, classifier, options, timeoutMs);
    const after = await count();
    let unexpectedSearch: Verification['unexpectedSearch'] = 'probe';
    let slotKeys: Verification['slotKeys'] = null;
    if (before !== null && before === after && before === classifier.keysFound + probed.found) {
      unexpectedSearch = 'count';
    } else if ('nodes' in client && summary.slot !== null && readFrom.address !== undefined) {
      slotKeys = await listSlot(client, summary, readFrom.address, probed.toSeq, classifier, timeoutMs);
      if (slotKeys) unexpectedSearch = 'slot';
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
      probed,
      slotKeys,
    };
  } finally {
    await closeClient(client);
  }
}

/**
 * Reads the sequence space above the last attempted write, one probe window at a time, going on only while
 * a window held a key: every key found there is one nobody in the summary wrote.
 */
async function probeAbove(
  client: RedisClient,
  summary: WriterSummary,
  classifier: Classifier,
  options: VerifyOptions,
  timeoutMs: number,
): Promise<Verification['probed']> {
  const window = probeWindow(summary.rate);
  const fromSeq = summary.attempted;
  let toSeq = fromSeq;
  let found = 0;
  for (let w = 0; w < MAX_PROBE_WINDOWS; w++) {
    const [first, last] = [toSeq, toSeq + window - 1];
    let held = 0;
    await readSeqs(client, summary.keyBase, [[first, last]], options, timeoutMs, (_seq, value, key) => {
      if (value === null) return;
      held++;
      classifier.neverAttempted(key);
    });
    toSeq = last + 1;
    found += held;
    if (held === 0) break;
  }
  return { fromSeq, toSeq, found };
}

/**
 * Cluster mode: every key of the run's slot, listed on its owner. The slot holds the run's keys and any
 * foreign key that happens to hash there (about 1 in 16384 of the keys without a hash tag; none with
 * another tag), so this is bounded by what the run wrote plus that share — and listed only while that share is at most
 * SLOT_LISTING_FOREIGN_MAX keys (null otherwise: the probe decides), never by the database.
 */
async function listSlot(
  cluster: Cluster,
  summary: WriterSummary,
  owner: string,
  probedTo: number,
  classifier: Classifier,
  timeoutMs: number,
): Promise<Verification['slotKeys']> {
  const node = ownerNode(cluster, owner);
  if (!node) throw new DataPlaneError(`no connection to ${owner}, the owner of slot ${summary.slot}`);
  const slot = summary.slot!;
  const keys = await retrying(timeoutMs, 'listing the run slot', cluster, async () => {
    const total = Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
    if (total > probedTo + SLOT_LISTING_FOREIGN_MAX) return null;
    return (await node.call('CLUSTER', 'GETKEYSINSLOT', slot, Math.max(1, total))) as string[];
  });
  if (keys === null) return null;
  let foreign = 0;
  for (const key of keys) {
    if (!key.startsWith(`${summary.keyBase}:`)) {
      foreign++;
      continue;
    }
    const seq = seqOfKey(summary.keyBase, key);
    // Read back or probed already: classified there.
    if (seq === undefined || seq >= probedTo) classifier.neverAttempted(key);
  }
  return { listed: keys.length, foreign };
}

function ownerNode(cluster: Cluster, owner: string) {
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
}

/**
 * Keys in the keyspace that holds the run's keys, in O(1): DBSIZE on the read-back connection, or in
 * cluster mode CLUSTER COUNTKEYSINSLOT of the run's slot on its owner. Null when it cannot be counted
 * (the probe and the slot listing decide then).
 */
async function countKeyspace(
  client: RedisClient,
  slot: number | null,
  owner: string | undefined,
): Promise<number | null> {
  try {
    if (!('nodes' in client)) return Number(await client.dbsize());
    if (slot === null || owner === undefined) return null;
    const node = ownerNode(client, owner);
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
  const ranges = decodeOutcomes(summary.outcomes);
  for (const outcome of ['ok', 'info', 'fail'] as const) {
    await readSeqs(client, summary.keyBase, ranges[outcome], options, timeoutMs, (seq, value, key) =>
      classifier.observe(seq, outcome, value, key),
    );
  }
}

/** MGET of exactly the keys of `ranges`, `batchSize` keys per MGET and `depth` MGETs in flight. */
async function readSeqs(
  client: RedisClient,
  keyBase: string,
  ranges: readonly SeqRange[],
  options: VerifyOptions,
  timeoutMs: number,
  onValue: (seq: number, value: Uint8Array | null, key: string) => void,
): Promise<void> {
  await lanes(options.depth ?? 8, batchesOf(ranges, options.batchSize ?? 1000), async (seqs) => {
    const keys = keysFor(keyBase, seqs);
    const values = await retrying(timeoutMs, 'reading back the writes', client, () =>
      client.mgetBuffer(keys),
    );
    for (let i = 0; i < seqs.length; i++) onValue(seqs[i]!, values[i] ?? null, keys[i]!);
  });
}

/** The sequence numbers of `ranges` in batches of `size`. */
export function* batchesOf(ranges: readonly SeqRange[], size: number): Generator<number[]> {
  let seqs: number[] = [];
  for (const [first, last] of ranges) {
    for (let seq = first; seq <= last; seq++) {
      seqs.push(seq);
      if (seqs.length === size) {
        yield seqs;
        seqs = [];
      }
    }
  }
  if (seqs.length > 0) yield seqs;
}
