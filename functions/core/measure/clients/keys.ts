/** Each profile's own key space, outside the probe's: named from the run id and the profile's name. */
import { createHash } from 'node:crypto';
import { keyBaseFor, NAME_PATTERN, type SlotRange } from '../keys.js';

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

export function profileKeyBase(
  settings: { prefix: string; runId: string; cluster: boolean; pin?: SlotRange[] },
  name: string,
): string {
  const pin = settings.pin ?? (settings.cluster ? [[0, 16383] as SlotRange] : undefined);
  return keyBaseFor(settings.prefix, profileRunId(settings.runId, name), pin).keyBase;
}
