/**
 * A region failover's part in the drill's shared steps. The RegionFailover step's own probe measures it
 * (report.global), so the Write and Verify steps stand aside with placeholders of their outputs' shape, and
 * Cleanup unlinks the region probe's keys by name in both regions (every failover's key space).
 */

import { CLIENT_DEFAULTS, closeClient, type RedisClient, waitUntilReady } from '../../shared/redis-client.js';
import { cleanup, sequenceBound } from '../measure/cleanup.js';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import { keyBaseFor, probeWindow } from '../measure/keys.js';
import type { DrillPlan } from './plan.js';

/** One measured failover's key space: Cleanup unlinks every sequence below `attempted` in both regions. */
export interface RegionKeys {
  keyBase: string;
  attempted: number;
}

/** The run ids of the measured failovers: the way out, and with failBack the way back (own key space). */
export function regionRunIds(runId: string, failBack: boolean): string[] {
  return failBack ? [runId, `${runId}-back`] : [runId];
}

const STOOD_ASIDE = 'the RegionFailover step measures a region failover with its own cross-region probe';

/** The Write step's output for a region failover: nothing written by the probe writer. */
export function writeStoodAside(plan: DrillPlan) {
  const { keyBase } = keyBaseFor(plan.request.writer.keyPrefix, plan.runId);
  return {
    version: 1 as const,
    runId: plan.runId,
    keyBase,
    attempted: 0,
    rate: 0,
    slot: null,
    regionFailover: STOOD_ASIDE,
  };
}

/** The Verify step's output for a region failover: nothing to read back (RegionFailover read its own). */
export function verifyStoodAside() {
  return { regionFailover: STOOD_ASIDE, probed: { fromSeq: 0, toSeq: 0, found: 0 } };
}

/**
 * Unlinks every region probe key in both regions: below each failover's attempted writes and its probe
 * window when RegionFailover returned them; else below the most the plan's probe can have written by now.
 */
export async function cleanupRegions(
  plan: DrillPlan,
  returned: RegionKeys[] | undefined,
  runMs: number,
  createClient: (endpoint: string) => RedisClient,
): Promise<number> {
  const global = plan.global;
  if (!global) return 0;
  const rate = plan.request.writer.rate ?? WRITER_DEFAULTS.rate;
  const keys =
    returned ??
    regionRunIds(plan.runId, global.failBack).map((runId) => ({
      keyBase: keyBaseFor(plan.request.writer.keyPrefix, runId).keyBase,
      attempted: sequenceBound({ rate, concurrency: 1, runMs }),
    }));
  let deleted = 0;
  // Unlinked where the datastore's primary is now; the other region's group replicates the deletes.
  for (const endpoint of await writableOf([global.primary.endpoint, global.secondary.endpoint], createClient))
    for (const { keyBase, attempted } of keys) {
      const result = await cleanup(
        { keyBase, seqsBelow: attempted + probeWindow(rate), slot: null },
        { createClient: () => createClient(endpoint) },
      );
      deleted += result.deleted;
    }
  return deleted;
}

/** The endpoints whose node is a primary now (ROLE), in the given order. */
async function writableOf(
  endpoints: string[],
  createClient: (endpoint: string) => RedisClient,
): Promise<string[]> {
  const writable: string[] = [];
  for (const endpoint of endpoints) {
    const client = createClient(endpoint);
    try {
      await waitUntilReady(client, 5 * CLIENT_DEFAULTS.connectTimeoutMs);
      const role = (await client.call('ROLE')) as [string, ...unknown[]];
      if (role[0] === 'master') writable.push(endpoint);
    } finally {
      await closeClient(client);
    }
  }
  return writable;
}
