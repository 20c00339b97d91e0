/**
 * The blast radius in cluster mode: a fail-fast writer on every shard, not only the one failed over, each
 * pinned to its shard's slots and judged like a profile. A shard that was not failed over but saw non-ok
 * writes is collateral (the report decides it in one place: `isCollateral`, core/report/shard-views.ts).
 */
import type { SlotRange } from '../keys.js';
import type { ClientTarget } from './client.js';
import type { ClientProfile } from './profile.js';
import { shardWriterName } from './profile-keys.js';
import { type ProfileDeps, type ProfileRun, type ProfileRunSettings, runClientProfiles } from './run.js';

/**
 * As the probe's client: no queue, no retry, no resend, a command timeout; no redirection followed (a
 * MOVED, ASK, TRYAGAIN or CLUSTERDOWN is a failed write) and the slot map refreshed often, so that a
 * stall shows as failed writes, never as a wait.
 */
export function shardWriterProfile(nodeGroupId: string): ClientProfile {
  return {
    name: shardWriterName(nodeGroupId),
    library: 'ioredis',
    options: {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: 1000,
      connectTimeout: 1000,
      retryStrategy: { kind: 'constant', delayMs: 10 },
      reconnectOnError: { errors: ['READONLY'], resend: false },
      maxRedirections: 0,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      retryDelayOnTryAgain: 0,
      retryDelayOnMoved: 0,
      slotsRefreshTimeout: 1000,
      slotsRefreshInterval: 200,
    },
  };
}

export interface Shard {
  nodeGroupId: string;
  slots: SlotRange[];
}

/** One writer per shard (cluster mode), each with its own client pinned to the shard's slots. */
export async function runShardWriters(
  shards: readonly Shard[],
  settings: Omit<ProfileRunSettings, 'pin' | 'cluster'>,
  target: ClientTarget,
  signal: AbortSignal,
  deps: ProfileDeps = {},
): Promise<ProfileRun[]> {
  const runs = await Promise.all(
    shards
      .filter((shard) => shard.slots.length > 0)
      .map((shard) =>
        runClientProfiles(
          [shardWriterProfile(shard.nodeGroupId)],
          { ...settings, cluster: true, pin: shard.slots },
          target,
          signal,
          deps,
        ),
      ),
  );
  return runs.flat();
}
