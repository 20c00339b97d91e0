/** A profile's figures for the report: what the application saw, next to the probe's truth. */
import type { ReadBackCounts, SentCounts, WriteCounts } from '../counts.js';
import { decodeHistogram, percentilesOf } from '../latency.js';
import type { SeqRange } from '../ranges.js';
import { type Redirections, redirectionsOfErrors, shiftRedirections } from '../redirections.js';
import type { ProfileVerification } from './profile-verify.js';
import type { ErrorSeen, ProfileRun } from './run.js';

/** A profile's or a shard writer's counts: what it sent, and what its read-back found. */
export type ProfileWriteCounts = SentCounts &
  ReadBackCounts &
  Pick<WriteCounts, 'duplicated' | 'pendingAtStop' | 'skipped'>;

export interface ClientFigures {
  name: string;
  library: ProfileRun['library'];
  version: string;
  writes: ProfileWriteCounts;
  /** By kind; times in ms from the reference (T0, else the profile's start). */
  errors: Record<string, ErrorSeen>;
  /**
   * As the application saw it: the longest stretch with no write acknowledged (ms), whether writes
   * failed or waited; `complete` false when it was still open at the stop.
   */
  downtime: { ms: number; startMs: number | null; endMs: number | null; complete: boolean };
  /** From the reference to the first acknowledgement that ended the downtime. */
  timeToFirstSuccessMs: number | null;
  latency: { count: number; p50: number | null; p99: number | null; max: number | null };
  /** What the relative times count from. */
  reference: 'T0' | 'start';
  verified: boolean;
  lostRanges: SeqRange[];
  duplicatedRanges: SeqRange[];
  error?: { name: string; message: string };
  /** MOVED, ASK, TRYAGAIN, CLUSTERDOWN, READONLY, connections closed: met inside the library, or surfaced. */
  redirections: Redirections;
}

/**
 * `referenceEpochMs`: T0 (TestFailover requested) when there was one; times are then relative to it, as
 * the probe's failover timings are.
 */
export function clientFigures(
  run: ProfileRun,
  verification: ProfileVerification | undefined,
  referenceEpochMs: number | null,
): ClientFigures {
  const offset = referenceEpochMs === null ? 0 : run.startedAtEpochMs - referenceEpochMs;
  const at = (ms: number | null): number | null => (ms === null ? null : round(ms + offset));
  const latency = percentilesOf(decodeHistogram(run.latency));
  const gap = run.longestGap;
  const errors: Record<string, ErrorSeen> = {};
  for (const [kind, seen] of Object.entries(run.errors))
    errors[kind] = { ...seen, firstMs: at(seen.firstMs)!, lastMs: at(seen.lastMs)! };
  const end = at(gap.endMs);
  return {
    name: run.name,
    library: run.library,
    version: run.version,
    writes: {
      attempted: run.attempted,
      acknowledged: run.acknowledged,
      failed: run.failed,
      indeterminate: run.indeterminate,
      lost: verification?.lost ?? 0,
      duplicated: verification?.duplicated ?? 0,
      recovered: verification?.recovered ?? 0,
      indeterminateAbsent: verification?.indeterminateAbsent ?? 0,
      failedButPresent: verification?.failedButPresent ?? 0,
      pendingAtStop: run.pendingAtStop,
      skipped: run.skipped,
    },
    errors,
    downtime: { ms: gap.ms, startMs: at(gap.startMs), endMs: end, complete: gap.endMs !== null },
    timeToFirstSuccessMs: end === null ? null : referenceEpochMs === null ? gap.ms : end,
    latency: { count: latency.count, p50: latency.p50, p99: latency.p99, max: latency.max },
    reference: referenceEpochMs === null ? 'start' : 'T0',
    verified: verification !== undefined,
    lostRanges: verification?.lostRanges ?? [],
    duplicatedRanges: verification?.duplicatedRanges ?? [],
    ...(run.error ? { error: run.error } : {}),
    redirections: run.redirections
      ? { countedFrom: 'library', byKind: shiftRedirections(run.redirections, offset) }
      : {
          countedFrom: 'surfaced',
          byKind: redirectionsOfErrors(errors),
          ...(run.redirectionsNotObservable ? { followed: run.redirectionsNotObservable } : {}),
        },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
