/**
 * Reads back each profile's counters from the current primary after recovery and classifies them by the
 * probe's model, plus what only a counter shows: a write applied more than once (`duplicated`). Reading
 * only, so that a retried Verify step sees the same keys; Cleanup deletes exactly the keys each profile
 * wrote (it knows every one: no SCAN).
 */
import { DataPlaneError } from '../../../shared/errors.js';
import { closeClient, type RedisClient, waitUntilReady } from '../../../shared/redis-client.js';
import type { ReadBackCounts, WriteCounts } from '../counts.js';
import { keyFor, keySlot } from '../keys.js';
import { probePrimary } from '../monitor.js';
import type { Outcome } from '../outcomes.js';
import { decodeOutcomes, rangesOf, type SeqRange } from '../ranges.js';
import { retrying } from '../retry.js';
import type { ProfileRun } from './run.js';

/**
 * `failedButPresent` here: the library reported a failure but the write is there (e.g. it resent it after
 * giving up on it); `duplicated`: a retry or a resend applied it again.
 */
export interface ProfileVerification extends ReadBackCounts, Pick<WriteCounts, 'duplicated'> {
  name: string;
  /** Applications beyond the first, summed over the duplicated writes. */
  extraApplications: number;
  lostRanges: SeqRange[];
  duplicatedRanges: SeqRange[];
}

const BATCH = 500;
const RANGES_KEPT = 100;

/** Verifies and cleans up every profile that ran; a profile that never connected has nothing to read. */
export async function verifyClientProfiles(
  runs: readonly ProfileRun[],
  deps: { createClient: () => RedisClient },
  options: { timeoutMs?: number } = {},
): Promise<ProfileVerification[]> {
  if (runs.length === 0) return [];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = deps.createClient();
  try {
    await waitUntilReady(client, timeoutMs);
    const results: ProfileVerification[] = [];
    for (const run of runs) results.push(await verifyOne(client, run, timeoutMs));
    return results;
  } finally {
    await closeClient(client);
  }
}

/** A profile's read-back before any key is read: nothing found wrong. */
export function emptyVerification(name: string): ProfileVerification {
  return {
    name,
    lost: 0,
    recovered: 0,
    indeterminateAbsent: 0,
    failedButPresent: 0,
    duplicated: 0,
    extraApplications: 0,
    lostRanges: [],
    duplicatedRanges: [],
  };
}

async function verifyOne(
  client: RedisClient,
  run: ProfileRun,
  timeoutMs: number,
): Promise<ProfileVerification> {
  const result = emptyVerification(run.name);
  if (run.attempted === 0) return result;
  const slot = 'nodes' in client ? keySlot(keyFor(run.keyBase, 0)) : null;
  await retrying(timeoutMs, `the endpoint showing a primary for profile ${run.name}`, client, async () => {
    const probe = await probePrimary(client, slot);
    if (probe.role !== 'master') throw new DataPlaneError(`the endpoint serves a ${probe.role}`);
  });
  const lost: number[] = [];
  const duplicated: number[] = [];
  const all = writesOf(run);
  for (let i = 0; i < all.length; i += BATCH) {
    const batch = all.slice(i, i + BATCH);
    const keys = batch.map(([seq]) => keyFor(run.keyBase, seq));
    const values = await retrying(timeoutMs, `reading back profile ${run.name}`, client, () =>
      client.mget(keys),
    );
    for (let j = 0; j < batch.length; j++) {
      const [seq, outcome] = batch[j]!;
      const count = values[j] === null || values[j] === undefined ? 0 : Number(values[j]);
      if (count > 1) {
        result.duplicated++;
        result.extraApplications += count - 1;
        duplicated.push(seq);
      }
      if (outcome === 'ok' && count === 0) {
        result.lost++;
        lost.push(seq);
      } else if (outcome === 'info') {
        if (count > 0) result.recovered++;
        else result.indeterminateAbsent++;
      } else if (outcome === 'fail' && count > 0) result.failedButPresent++;
    }
  }
  result.lostRanges = rangesOf(lost).slice(0, RANGES_KEPT);
  result.duplicatedRanges = rangesOf(duplicated).slice(0, RANGES_KEPT);
  return result;
}

/** Every write of a profile with its outcome, by seq. */
function writesOf(run: ProfileRun): [number, Outcome][] {
  const ranges = decodeOutcomes(run.outcomes);
  const all: [number, Outcome][] = [];
  for (const outcome of ['ok', 'fail', 'info'] as const)
    for (const [first, last] of ranges[outcome])
      for (let seq = first; seq <= last; seq++) all.push([seq, outcome]);
  return all.sort((a, b) => a[0] - b[0]);
}

/** UNLINKs exactly the keys the profiles wrote (every attempted seq), in batches; no SCAN. */
export async function deleteProfileKeys(
  runs: readonly Pick<ProfileRun, 'keyBase' | 'attempted'>[],
  deps: { createClient: () => RedisClient },
  options: { timeoutMs?: number } = {},
): Promise<{ deleted: number }> {
  const pending = runs.filter((run) => run.attempted > 0);
  if (pending.length === 0) return { deleted: 0 };
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = deps.createClient();
  let deleted = 0;
  try {
    await waitUntilReady(client, timeoutMs);
    for (const run of pending) {
      for (let first = 0; first < run.attempted; first += BATCH) {
        const keys: string[] = [];
        for (let seq = first; seq < Math.min(run.attempted, first + BATCH); seq++)
          keys.push(keyFor(run.keyBase, seq));
        deleted += await retrying(timeoutMs, "deleting the profiles' keys", client, () =>
          client.unlink(...keys),
        );
      }
    }
  } finally {
    await closeClient(client);
  }
  return { deleted };
}
