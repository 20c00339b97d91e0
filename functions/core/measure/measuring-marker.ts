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

/** Records that the probe started measuring at `epochMs`. */
export async function publishMeasuring(client: RedisClient, key: string, epochMs: number): Promise<void> {
  await client.set(key, String(epochMs), 'EX', MEASURING_TTL_SECONDS);
}

/** When the probe started measuring (epoch ms), or undefined while it has not. */
export async function measuringSince(client: RedisClient, key: string): Promise<number | undefined> {
  const value = await client.get(key);
  return value === null ? undefined : Number(value);
}
