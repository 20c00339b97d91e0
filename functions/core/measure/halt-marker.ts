import { DrillStoppedError } from '../../shared/errors.js';
import type { RedisClient } from '../../shared/redis-client.js';

/**
 * The run's halt marker. Cleanup sets it so that a writer still running (its Parallel branch was
 * abandoned when the other failed) stops before the keys are unlinked. It lies outside the run's key
 * pattern and expires by itself after the longest a writer can live. (Not the alarms' stop conditions,
 * core/drill/stop-conditions.ts, nor the writer's stop reason.)
 */
export function haltMarkerKey(prefix: string, runId: string): string {
  return `${prefix}:stop:${runId}`;
}

export const HALT_POLL_MS = 500;
/** A Lambda lives at most 15 minutes. */
const HALT_TTL_SECONDS = 900;

export async function requestHalt(client: RedisClient, key: string): Promise<void> {
  await client.set(key, '1', 'EX', HALT_TTL_SECONDS);
}

export async function haltRequested(client: RedisClient, key: string): Promise<boolean> {
  return (await client.exists(key)) > 0;
}

/**
 * The probe's stop, as the shard writers' groups in other invocations learn it (issue 26's fan-out): the
 * probe's invocation sets it when its writer stops. Outside the run's key pattern, expiring by itself.
 */
export function probeStoppedKey(prefix: string, runId: string): string {
  return `${prefix}:probe-stopped:${runId}`;
}

/** Aborts `controller` once the halt marker appears; returns a function that ends the watch. */
export function watchHaltMarker(
  client: RedisClient,
  key: string,
  controller: AbortController,
  why = 'stop requested by Cleanup',
): () => void {
  const timer = setInterval(() => {
    haltRequested(client, key).then(
      (halt) => {
        if (halt) controller.abort(new DrillStoppedError(why));
      },
      () => {}, // unreachable now: the writer itself measures that; keep watching
    );
  }, HALT_POLL_MS);
  return () => clearInterval(timer);
}
