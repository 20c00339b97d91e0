/**
 * The write counts: one name and one meaning for every figure that counts writes, declared once. The
 * probe, the client profiles, the shard writers, the findings and the report each take the part they
 * have, as a `Pick` of `WriteCounts`. After Jepsen's set checker: one result map of plain numbers.
 */

export interface WriteCounts {
  /** Writes sent (the probe) or issued to the client (a profile). */
  attempted: number;
  /** Replied ok. */
  acknowledged: number;
  /** Certainly not applied: an error reply, or refused before it was sent. */
  failed: number;
  /** No reply (a timeout, a dropped connection): applied or not, only the read-back tells. */
  indeterminate: number;
  /** Acknowledged and absent after recovery. */
  lost: number;
  /** Indeterminate and present. */
  recovered: number;
  /** Indeterminate and absent: not a loss. */
  indeterminateAbsent: number;
  /** Failed and present: must be 0, else the failure classification is wrong. */
  failedButPresent: number;
  /** The probe: present but never attempted, or present with a payload that is not the write's. */
  unexpected: number;
  /** A profile's counted keys: present with a count above 1, so applied more than once. */
  duplicated: number;
  /** Not attempted: every concurrency slot (the probe) or the pending bound (a profile) was full. */
  skipped: number;
  /** A profile: still queued or in flight when it was stopped and closed (among the indeterminate). */
  pendingAtStop: number;
  /** The probe: non-ok writes during the baseline, before it was armed. */
  baselineNonOk: number;
}

/** What a writer counts as its writes end, before anything is read back. */
export type SentCounts = Pick<WriteCounts, 'attempted' | 'acknowledged' | 'failed' | 'indeterminate'>;

/** What a read-back classifies, for the probe's writes and a profile's alike. */
export type ReadBackCounts = Pick<
  WriteCounts,
  'lost' | 'recovered' | 'indeterminateAbsent' | 'failedButPresent'
>;

/** Writes that did not end ok: failed or indeterminate. */
export function nonOkOf(counts: Pick<WriteCounts, 'failed' | 'indeterminate'>): number {
  return counts.failed + counts.indeterminate;
}
