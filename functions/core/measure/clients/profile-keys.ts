/** Each profile's own key space, outside the probe's: named from the run id and the profile's name. */
import { createHash } from 'node:crypto';
import { type KeyBase, keyBaseFor, NAME_PATTERN, type SlotRange } from '../keys.js';

/**
 * The profile's own run id: `<runId>.c-<name>`, so that its keys are `<prefix>:<runId>.c-<name>:<seq>`,
 * outside the probe's `<prefix>:<runId>:*`. Too long a run id is shortened with a hash of it.
 */
export function profileRunId(runId: string, name: string): string {
  const suffix = `.c-${name}`;
  const id = `${runId}${suffix}`;
  if (NAME_PATTERN.test(id)) return id;
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `${runId.slice(0, 80 - suffix.length - 9)}.${hash}${suffix}`;
}

/** The profile's key base and, in cluster mode, the one slot every key of the profile hashes to. */
export function profileKeySpace(
  settings: { prefix: string; runId: string; cluster: boolean; pin?: readonly SlotRange[] },
  name: string,
): KeyBase {
  const pin = settings.pin ?? (settings.cluster ? [[0, 16383] as SlotRange] : undefined);
  return keyBaseFor(settings.prefix, profileRunId(settings.runId, name), pin);
}

export function profileKeyBase(
  settings: { prefix: string; runId: string; cluster: boolean; pin?: SlotRange[] },
  name: string,
): string {
  return profileKeySpace(settings, name).keyBase;
}

/** Writes per second of a profile unless told otherwise (Cleanup bounds a crashed run's keys by it). */
export const DEFAULT_PROFILE_RATE = 100;

/** Shard writers' names: `shard-<nodeGroupId>`, a prefix client profiles may not use. */
export const SHARD_WRITER_PREFIX = 'shard-';

export function shardWriterName(nodeGroupId: string): string {
  return `${SHARD_WRITER_PREFIX}${nodeGroupId}`;
}

/** The node group a shard writer's run belongs to. */
export function nodeGroupOf(run: { name: string }): string {
  return run.name.slice(SHARD_WRITER_PREFIX.length);
}
