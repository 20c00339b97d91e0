/**
 * A durable group's promise (ElastiCache for Valkey 9.0+, `Durability: sync | async`), as plain data the
 * drill judges its own figures against. The words are AWS's (Developer Guide, *Durability options*): sync
 * loses no acknowledged write; async loses at most the writes of its durability buffer (10 s).
 */
import * as z from 'zod';

/** What `EffectiveDurability` takes (the SDK's enum); `Durability` also takes `default`. */
export const DURABILITY_MODES = ['sync', 'async', 'disabled'] as const;
export type DurabilityMode = (typeof DURABILITY_MODES)[number];

/** The modes a durable group runs in, and so the values `--durability` accepts. */
export const DURABLE_MODES = ['sync', 'async'] as const;
export type DurableMode = (typeof DURABLE_MODES)[number];

/** AWS's durability buffer: async rejects writes while its oldest unpersisted write is older than this. */
export const DURABILITY_BUFFER_MS = 10_000;

/**
 * The rejection a durable primary answers with: AWS documents it as a cluster-down error ("retry any write
 * command rejected with a cluster down error message", *Durability options*) and publishes no other text.
 */
export const REJECTED_KIND = 'CLUSTERDOWN';

/** The mode a drill judges: read from the control plane (Preflight) or declared (`measure --durability`). */
export const durabilitySettingSchema = z.object({
  /** `Durability` as the group was configured (null: the control plane did not say). */
  configured: z.string().nullable(),
  /** `EffectiveDurability`: the mode in effect (null: unknown). */
  effective: z.enum(DURABILITY_MODES).nullable(),
  source: z.enum(['control-plane', 'declared']),
  /** The async buffer (ms); AWS's is 10,000. */
  bufferMs: z.number().positive().default(DURABILITY_BUFFER_MS),
});
export type DurabilitySetting = z.infer<typeof durabilitySettingSchema>;

export interface DurabilityPromise {
  mode: DurableMode;
  /** The promise in plain words. */
  text: string;
  /** Acknowledged writes a failure may lose (null: not bounded by count). */
  maxLostWrites: number | null;
  /** Longest data-loss window (ms) a failure may cost (null: not bounded by time). */
  maxDataLossWindowMs: number | null;
}

/** The promise of a mode; null for a group that is not durable (or whose mode is unknown). */
export function promiseOf(setting: DurabilitySetting | undefined): DurabilityPromise | null {
  switch (setting?.effective) {
    case 'sync':
      return {
        mode: 'sync',
        text: 'sync: no acknowledged write is lost',
        maxLostWrites: 0,
        maxDataLossWindowMs: 0,
      };
    case 'async':
      return {
        mode: 'async',
        text: `async: at most the last ${setting.bufferMs.toLocaleString('en-US')} ms of acknowledged writes are lost (data-loss window ≤ ${setting.bufferMs.toLocaleString('en-US')} ms)`,
        maxLostWrites: null,
        maxDataLossWindowMs: setting.bufferMs,
      };
    default:
      return null;
  }
}

/** `Durability` and `EffectiveDurability` of a described group, as the setting the drill judges. */
export function durabilityOfGroup(group: {
  Durability?: string | undefined;
  EffectiveDurability?: string | undefined;
}): DurabilitySetting | undefined {
  if (group.Durability === undefined && group.EffectiveDurability === undefined) return undefined;
  const effective = (DURABILITY_MODES as readonly string[]).includes(group.EffectiveDurability ?? '')
    ? (group.EffectiveDurability as DurabilityMode)
    : null;
  return {
    configured: group.Durability ?? null,
    effective,
    source: 'control-plane',
    bufferMs: DURABILITY_BUFFER_MS,
  };
}
