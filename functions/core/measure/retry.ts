/** Bounded retries of idempotent data-plane calls (reads, deletes) for Verify and Cleanup. */
import type { Cluster } from 'ioredis';
import { DataPlaneError } from '../../shared/errors.js';
import type { RedisClient } from '../../shared/redis-client.js';

const RETRY_DELAY_MS = 50;

/**
 * Reads and deletes are idempotent, so unlike writes they are retried (bounded by time); in cluster mode
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

export function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve, reject) =>
    cluster.refreshSlotsCache((error) => (error ? reject(error) : resolve())),
  );
}

/** Runs `depth` lanes over one generator of batches: that many commands in flight on the connection. */
export async function lanes<T>(depth: number, batches: Iterator<T>, work: (batch: T) => Promise<void>) {
  const lane = async (): Promise<void> => {
    for (let batch = batches.next(); !batch.done; batch = batches.next()) await work(batch.value);
  };
  await Promise.all(Array.from({ length: depth }, lane));
}
