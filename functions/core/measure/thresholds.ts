/** The thresholds a run is judged by: one schema for the CLI, the state machine input and the report. */
import * as z from 'zod';

/** Judged for every client profile (a JUnit case per profile and threshold); unset = not judged. */
export const clientThresholdsSchema = z.strictObject({
  /** The longest stretch the application saw without an acknowledged write (ms). */
  maxDowntimeMs: z.number().min(0).optional(),
  maxFailedWrites: z.number().int().min(0).optional(),
  /** Failed plus indeterminate: every write the application did not see succeed. */
  maxNonOkWrites: z.number().int().min(0).optional(),
  maxLostWrites: z.number().int().min(0).optional(),
  maxDuplicatedWrites: z.number().int().min(0).optional(),
  maxP99LatencyMs: z.number().min(0).optional(),
  maxLatencyMs: z.number().min(0).optional(),
});
export type ClientThresholds = z.output<typeof clientThresholdsSchema>;

export const thresholdsSchema = z.strictObject({
  /** Longest acceptable write downtime (ms); unset = not judged. */
  maxDowntimeMs: z.number().min(0).optional(),
  /** Acknowledged writes that may be lost. */
  maxLostWrites: z.number().int().min(0).default(0),
  /** Longest acceptable data-loss window (ms); unset = not judged. */
  maxDataLossWindowMs: z.number().min(0).optional(),
  /** Keys present that no write explains (corruption, a stray writer). */
  maxUnexpectedWrites: z.number().int().min(0).default(0),
  /** Longest acceptable time from T0 (or the disruption) to a new primary (ms); unset = not judged. */
  maxTimeToPromoteMs: z.number().min(0).optional(),
  /** Fail when no disruption was observed at all (a drill whose fault never showed). */
  requireDisruption: z.boolean().default(false),
  /** global-failover: acknowledged writes of the old primary region absent in the new one; unset = not judged. */
  maxCrossRegionLostWrites: z.number().int().min(0).optional(),
  /** global-failover: the window the cross-region lost writes span (ms); unset = not judged. */
  maxCrossRegionDataLossWindowMs: z.number().min(0).optional(),
  /** global-failover: the request → the first write acknowledged in the promoted region (ms). */
  maxRegionFailoverMs: z.number().min(0).optional(),
  /** Client profiles' thresholds; without them the profiles never change the verdict. */
  clients: clientThresholdsSchema.optional(),
});

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;
