/**
 * Cleanup, in O(writes): UNLINK of exactly the run's keys, named one by one — every sequence number below
 * a bound (the attempted writes and the probe window above them; without the writer's summary, the most a
 * writer of the plan could have attempted) — pipelined in batches; in cluster mode also any `<keyBase>:<seq>`
 * the run's own slot still lists. Never a pattern, never an iteration of the database.
 */
import type { Cluster } from 'ioredis';
import { DataPlaneError } from '../../shared/errors.js';
import { closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { keysFor, probeWindow, SLOT_LISTING_FOREIGN_MAX, seqOfKey } from './keys.js';
import { lanes, retrying } from './retry.js';
import type { WriterSummary } from './summary.js';
import { batchesOf } from './verify.js';

export interface CleanupTarget {
  keyBase: string;
  /** Every sequence number below this is deleted, by exact key. */
  seqsBelow: number;
  /** Cluster mode: the run's one slot, listed for keys under the key base that are left over. */
  slot: number | null;
  /**
   * The run's halt marker (`halt-marker.ts`), deleted last: only once no writer of the run can still start
   * or write (it returned its summary, or it was halted and its writes have settled).
   */
  haltMarker?: string;
  /** The run's change-finished marker (`change-marker.ts`), deleted by name whether or not it was set. */
  changeMarker?: string;
  /** The run's measuring marker (`measuring-marker.ts`), deleted with the keys: the fault branch is over. */
  measuringMarker?: string;
}

/** The target of a run whose writer returned: its attempts and the probe window above them (or what Verify probed). */
export function cleanupTargetOf(
  summary: Pick<WriterSummary, 'keyBase' | 'attempted' | 'rate' | 'slot'>,
  probedToSeq?: number,
): CleanupTarget {
  return {
    keyBase: summary.keyBase,
    seqsBelow: Math.max(summary.attempted + probeWindow(summary.rate), probedToSeq ?? 0),
    slot: summary.slot,
  };
}

/**
 * The most sequence numbers a writer of the plan can have used without its summary: it issues one write
 * per scheduled slot (refused writes use theirs too) and at most one more per reconnect, so twice the
 * rate over the time it can have run, its concurrency, and the probe window above.
 */
export function sequenceBound(plan: { rate: number; concurrency: number; runMs: number }): number {
  return Math.ceil((2 * plan.rate * plan.runMs) / 1000) + plan.concurrency + 1 + probeWindow(plan.rate);
}

export interface CleanupDeps {
  createClient: () => RedisClient;
}

export interface CleanupResult {
  /** Keys that existed and were removed. */
  deleted: number;
  /** Keys named (UNLINK of each, present or not): the cost, bounded by the run. */
  keysNamed: number;
  /** Cluster mode: keys under the key base still listed in the run's slot after the exact deletes, removed too. */
  leftInSlot: number;
  /** The halt marker was deleted (the name the Cleanup step's output has always carried). */
  stopMarkerDeleted: boolean;
}

const BATCH = 1000;
const DEPTH = 8;
/** Bound on waiting for a primary and on retrying a batch: a failover under way ends well within it. */
export const CLEANUP_TIMEOUT_MS = 15_000;

export async function cleanup(
  target: CleanupTarget,
  deps: CleanupDeps,
  options: { timeoutMs?: number } = {},
): Promise<CleanupResult> {
  const timeoutMs = options.timeoutMs ?? CLEANUP_TIMEOUT_MS;
  const client = deps.createClient();
  let deleted = 0;
  let leftInSlot = 0;
  let stopMarkerDeleted = false;
  try {
    await waitUntilReady(client, timeoutMs);
    const batches = batchesOf([[0, target.seqsBelow - 1]], BATCH);
    await lanes(DEPTH, batches, async (seqs) => {
      const keys = keysFor(target.keyBase, seqs);
      const removed = await retrying(timeoutMs, 'deleting the run keys', client, () =>
        client.unlink(...keys),
      );
      deleted += removed; // after the await: `deleted += await …` would add to a stale value across lanes
    });
    if ('nodes' in client && target.slot !== null) {
      leftInSlot = await sweepSlot(client, target.keyBase, target.slot, target.seqsBelow, timeoutMs);
      deleted += leftInSlot;
    }
    if (target.changeMarker) {
      const marker = target.changeMarker;
      await retrying(timeoutMs, 'deleting the change-finished marker', client, () => client.unlink(marker));
    }
    if (target.measuringMarker) {
      const marker = target.measuringMarker;
      await retrying(timeoutMs, 'deleting the measuring marker', client, () => client.unlink(marker));
    }
    if (target.haltMarker) {
      const marker = target.haltMarker;
      stopMarkerDeleted =
        (await retrying(timeoutMs, 'deleting the halt marker', client, () => client.unlink(marker))) > 0;
    }
  } finally {
    await closeClient(client);
  }
  return { deleted, keysNamed: Math.max(0, target.seqsBelow), leftInSlot, stopMarkerDeleted };
}

/**
 * The run's keys the slot still lists (a second writer's above the bound): removed. Skipped when the
 * slot holds more foreign keys than SLOT_LISTING_FOREIGN_MAX: the exact names above were deleted already.
 */
async function sweepSlot(
  cluster: Cluster,
  keyBase: string,
  slot: number,
  seqsBelow: number,
  timeoutMs: number,
): Promise<number> {
  return retrying(timeoutMs, 'sweeping the run slot', cluster, async () => {
    const owner = await slotOwner(cluster, slot);
    const total = Number(await owner.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
    if (total === 0 || total > seqsBelow + SLOT_LISTING_FOREIGN_MAX) return 0;
    const keys = (await owner.call('CLUSTER', 'GETKEYSINSLOT', slot, total)) as string[];
    // Only `<keyBase>:<seq>`, the names a writer of the run writes: anything else is left for Verify to report.
    const ours = keys.filter((key) => seqOfKey(keyBase, key) !== undefined);
    return ours.length > 0 ? Number(await owner.unlink(...ours)) : 0;
  });
}

async function slotOwner(cluster: Cluster, slot: number) {
  const slots = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const owner = slots.find(([first, last]) => slot >= first && slot <= last)?.[2];
  const node = owner
    ? cluster.nodes('master').find((n) => n.options.host === owner[0] && n.options.port === owner[1])
    : undefined;
  if (!node) throw new DataPlaneError(`no connection to the owner of slot ${slot}`);
  return node;
}
