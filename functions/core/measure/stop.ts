import type { RedisClient } from '../../shared/redis-client.js';

/**
 * The run's stop marker. Cleanup sets it so that a writer still running (its Parallel branch was
 * abandoned when the other failed) stops before the keys are unlinked. It lies outside the run's key
 * pattern and expires by itself after the longest a writer can live.
 */
export function stopKey(prefix: string, runId: string): string {
  return `${prefix}:stop:${runId}`;
}

export const STOP_POLL_MS = 500;
/** A Lambda lives at most 15 minutes. */
const STOP_TTL_SECONDS = 900;

export async function requestStop(client: RedisClient, key: string): Promise<void> {
  await client.set(key, '1', 'EX', STOP_TTL_SECONDS);
}

export async function stopRequested(client: RedisClient, key: string): Promise<boolean> {
  return (await client.exists(key)) > 0;
}

/** The writer started after Cleanup had already asked it to stop (its branch was abandoned). */
export class DrillStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillStoppedError';
  }
}

/** Aborts `controller` once the stop marker appears; returns a function that ends the watch. */
export function watchStop(client: RedisClient, key: string, controller: AbortController): () => void {
  const timer = setInterval(() => {
    stopRequested(client, key).then(
      (stop) => {
        if (stop) controller.abort(new DrillStoppedError('stop requested by Cleanup'));
      },
      () => {}, // unreachable now: the writer itself measures that; keep watching
    );
  }, STOP_POLL_MS);
  return () => clearInterval(timer);
}
