/**
 * An invocation's wall clock against a server's: the probe's invocation and every shard writers' group
 * read the same node's TIME (the node holding the run's halt marker), so the difference of their offsets
 * is how far a group's clock is from the probe's. Times are stated, never corrected: each group's records
 * carry epoch times of its own clock, and the report says by how much that clock may be off.
 */
import type { RedisClient } from '../../shared/redis-client.js';

/** How far this invocation's clock is behind the server's, from the reading with the shortest round trip. */
export interface ClockReading {
  /** Server time minus this clock's time at the round trip's midpoint, ms. */
  offsetMs: number;
  /** The round trip of that reading, ms. */
  rttMs: number;
  /**
   * The offset is true within this: half the round trip, widened by the whole milliseconds of Date.now()
   * at both ends (the server's TIME has microseconds).
   */
  withinMs: number;
}

/** Date.now()'s resolution. */
const EPOCH_RESOLUTION_MS = 1;

/** TIME on the node that holds `key`'s slot (a cluster routes a script by its key). */
const TIME_SCRIPT = "return redis.call('TIME')";

const READINGS = 3;

/** The offset to the server clock of the node holding `key`; null when the server cannot be read. */
export async function readClockOffset(
  client: RedisClient,
  key: string,
  epochMs: () => number = Date.now,
): Promise<ClockReading | null> {
  let best: ClockReading | null = null;
  for (let i = 0; i < READINGS; i++) {
    try {
      const sent = epochMs();
      const [seconds, micros] = (await client.eval(TIME_SCRIPT, 1, key)) as [string, string];
      const received = epochMs();
      const server = Number(seconds) * 1000 + Number(micros) / 1000;
      const rtt = received - sent;
      const reading = {
        offsetMs: round(server - (sent + received) / 2),
        rttMs: round(rtt),
        withinMs: round((rtt + EPOCH_RESOLUTION_MS) / 2 + EPOCH_RESOLUTION_MS),
      };
      if (!best || reading.rttMs < best.rttMs) best = reading;
    } catch {
      // A reading that failed is one fewer; none at all is said (null), never guessed.
    }
  }
  return best;
}

/**
 * A group's clock minus the probe's (both against the same server), and the bound on that figure (the
 * sum of both readings' bounds); null when either could not read the server.
 */
export function offsetToProbe(
  group: ClockReading | null,
  probe: ClockReading | null,
): { offsetMs: number; withinMs: number } | null {
  if (!group || !probe) return null;
  return {
    offsetMs: round(probe.offsetMs - group.offsetMs),
    withinMs: round(group.withinMs + probe.withinMs),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
