import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../../shared/redis-client.js';

/**
 * The run's measuring marker. The drill's Write step sets it once its probe writer has started measuring;
 * the fault branch waits for it (core/drill/probe-measuring.ts), so that the baseline counts from the probe's
 * start, not from Preflight's acceptance. Cleanup deletes it by this exact name. It expires by itself after
 * the longest a writer can live.
 */
export function measuringMarkerKey(prefix: string, runId: string): string {
  return `${prefix}:measuring:${runId}`;
}

/** A Lambda lives at most 15 minutes. */
const MEASURING_TTL_SECONDS = 900;

/** Between two attempts to set the marker: a refused SET is tried again this much later. */
export const MEASURING_RETRY_MS = 100;

/**
 * Records that the probe started measuring at `epochMs`, trying again until the primary takes it or `signal`
 * ends the writer. The primary may refuse writes when the probe starts (an async durable primary past its
 * buffer rejects every write until its log catches up; a failover may be under way): a marker given up on
 * would hold the fault back until the writer's start-by time and fail a drill whose probe is measuring.
 * Resolves with the number of attempts, or undefined when the writer ended first.
 */
export async function publishMeasuring(
  client: RedisClient,
  key: string,
  epochMs: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return undefined;
    try {
      await client.set(key, String(epochMs), 'EX', MEASURING_TTL_SECONDS);
      return attempt;
    } catch {
      await sleep(MEASURING_RETRY_MS);
    }
  }
}

/** When the probe started measuring (epoch ms), or undefined while it has not. */
export async function measuringSince(client: RedisClient, key: string): Promise<number | undefined> {
  const value = await client.get(key);
  return value === null ? undefined : Number(value);
}
