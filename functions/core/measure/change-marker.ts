import type { RedisClient } from '../../shared/redis-client.js';
import { HALT_POLL_MS } from './halt-marker.js';

/**
 * The run's change-finished marker. The fault branch sets it once a planned change is applied (the
 * ChangeFinished step), so that a writer which saw no disruption stops after its settle time instead of
 * at its hard cap. Its value is the epoch ms the change was seen applied. Like the halt marker it lies
 * outside the run's key pattern, expires by itself after the longest a writer can live, and Cleanup
 * deletes it by exact name.
 */
export function changeMarkerKey(prefix: string, runId: string): string {
  return `${prefix}:changed:${runId}`;
}

/** A Lambda lives at most 15 minutes. */
const CHANGE_TTL_SECONDS = 900;

export async function markChangeFinished(client: RedisClient, key: string, atEpochMs: number): Promise<void> {
  await client.set(key, String(atEpochMs), 'EX', CHANGE_TTL_SECONDS);
}

/** The epoch ms the change was seen applied, or undefined while the marker is absent. */
export async function changeFinishedAt(client: RedisClient, key: string): Promise<number | undefined> {
  const value = await client.get(key);
  const at = value === null ? Number.NaN : Number(value);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * Calls `onFinished` once, when the marker appears; returns a function that ends the watch. A read that
 * fails is no reading: the writer measures unreachability itself.
 */
export function watchChangeMarker(
  client: RedisClient,
  key: string,
  onFinished: (atEpochMs: number) => void,
): () => void {
  let seen = false;
  const timer = setInterval(() => {
    if (seen) return;
    changeFinishedAt(client, key).then(
      (at) => {
        if (at === undefined || seen) return;
        seen = true;
        clearInterval(timer);
        onFinished(at);
      },
      () => {},
    );
  }, HALT_POLL_MS);
  return () => clearInterval(timer);
}
