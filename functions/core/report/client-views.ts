/**
 * The clients checker: what each client profile saw beside the probe, with its lane in the charts. Pure:
 * the profiles' runs and read-backs in, their figures out (times from T0 when there was one).
 */
import { type ClientFigures, clientFigures } from '../measure/clients/figures.js';
import type { ProfileVerification } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { laneTimelineOf, type ReportTimeline } from './chart-data.js';

/** A client profile's figures, with its lane in the charts (its whole run, on the probe's time axis). */
export type ClientView = ClientFigures & { timeline: ReportTimeline | null };

/** Profiles that ran, and their read-back (absent: not verified). */
export interface ProfileRuns {
  runs: ProfileRun[];
  verifications?: ProfileVerification[];
}

/** Each run's figures against its own read-back, found by name. */
export function profileFiguresOf(input: ProfileRuns | undefined, t0EpochMs: number | null): ClientFigures[] {
  return (input?.runs ?? []).map((run) =>
    clientFigures(
      run,
      input?.verifications?.find((v) => v.name === run.name),
      t0EpochMs,
    ),
  );
}

/** `t0EpochMs`: TestFailover requested (null: none); `probeStartedAtEpochMs`: the probe's time axis. */
export function clientViewsOf(
  input: ProfileRuns | undefined,
  t0EpochMs: number | null,
  probeStartedAtEpochMs: number | null,
): ClientView[] {
  const runs = input?.runs ?? [];
  return profileFiguresOf(input, t0EpochMs).map((figures, i) => ({
    ...figures,
    timeline: laneTimelineOf(runs[i]!, probeStartedAtEpochMs),
  }));
}
