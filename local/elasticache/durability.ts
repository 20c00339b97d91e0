/**
 * A durable group's transactional log, emulated on the replication links of real redis-server processes.
 * The delay line on each replica's link (--replication-lag-ms) is where a write waits before a replica
 * holds it. Sync: that line is the log — when the primary dies, what it holds is still delivered before
 * the promotion, so the lag costs downtime, not data. Async: the line stays a plain delay line, so a
 * promotion loses what it held (the writes of the lag's window), as asynchronous persistence may.
 */
import type { DurableMode } from '../../functions/core/measure/durability.js';
import type { FaultProxy } from '../redis/proxy.js';

/** What a durable local group presents: Valkey 9.0, the first engine with durability. */
export const DURABLE_ENGINE = 'valkey';
export const DURABLE_ENGINE_VERSION = '9.0';

export interface LocalDurability {
  mode: DurableMode;
  /** A test-only fault: the sync log loses what reached it in its last that many ms (0: none). */
  dropTailMs?: number;
}

/** Sync: every replica's link becomes a log that outlives the primary. */
export function emulateLog(durability: LocalDurability, members: readonly { link: FaultProxy }[]): void {
  if (durability.mode !== 'sync') return;
  for (const member of members) member.link.logged({ dropTailMs: durability.dropTailMs ?? 0 });
}
