/**
 * What `buildReport` and its checkers read, built without a server for their unit tests: a client
 * profile's or shard writer's run (written by the real ProfileRecorder), its read-back, and the probe's
 * read-back. The probe's own run is `synthesize` (test/support/history-fixture.ts).
 */

import {
  emptyVerification,
  type ProfileVerification,
} from '../../functions/core/measure/clients/profile-verify.js';
import type { ProfileRun } from '../../functions/core/measure/clients/run.js';
import { ProfileRecorder } from '../../functions/core/measure/clients/run.js';
import type { ErrorOutcome } from '../../functions/core/measure/outcomes.js';
import { dataLossWindowOf } from '../../functions/core/measure/timings.js';
import type { Verification } from '../../functions/core/measure/verify.js';

/** The epoch ms every synthetic writer starts at unless told otherwise (synthesize's too). */
export const STARTED_AT_EPOCH_MS = 1_700_000_000_000;

export interface SyntheticProfile {
  /** Writes at 100 a second, each taking 1 ms. */
  writes?: number;
  outcomeAt?: (startMs: number) => 'ok' | ErrorOutcome;
  startedAtEpochMs?: number;
}

/** A profile's run (a shard writer's when `name` is `shard-<nodeGroupId>`), as the Write step returns it. */
export function profileRun(name: string, profile: SyntheticProfile = {}): ProfileRun {
  const recorder = new ProfileRecorder();
  const writes = profile.writes ?? 1000;
  for (let seq = 0; seq < writes; seq++)
    recorder.settle(seq, seq * 10, seq * 10 + 1, profile.outcomeAt?.(seq * 10) ?? 'ok');
  const durationMs = writes * 10;
  return {
    name,
    library: 'ioredis',
    version: '5.4.1',
    keyBase: `failover-drill:synthetic.c-${name}`,
    startedAtEpochMs: profile.startedAtEpochMs ?? STARTED_AT_EPOCH_MS,
    durationMs,
    ...recorder.parts(durationMs, 0),
  };
}

/** A profile's read-back that found nothing wrong, unless `found` says otherwise. */
export function profileVerification(
  name: string,
  found: Partial<ProfileVerification> = {},
): ProfileVerification {
  return { ...emptyVerification(name), ...found };
}

/** The probe's read-back of `present` keys that found nothing wrong, unless `found` says otherwise. */
export function probeVerification(present: number, found: Partial<Verification> = {}): Verification {
  return {
    lost: 0,
    lostRanges: [],
    recovered: 0,
    indeterminateAbsent: 0,
    failedButPresent: 0,
    failedButPresentRanges: [],
    unexpected: 0,
    unexpectedDetail: { neverAttempted: 0, payloadMismatch: 0, samples: [] },
    keysRead: present,
    present,
    verifiedAtEpochMs: 0,
    durationMs: 1,
    readFrom: { id: 'B', role: 'master' },
    dataLossWindow: dataLossWindowOf([], new Map(), null),
    unexpectedSearch: 'count',
    probed: { fromSeq: present, toSeq: present + 1000, found: 0 },
    slotKeys: null,
    ...found,
  };
}
