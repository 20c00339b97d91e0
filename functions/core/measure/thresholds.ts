/** The thresholds a run is judged by: one schema for the CLI, the state machine input and the report. */
import * as z from 'zod';

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
});

export type Thresholds = z.output<typeof thresholdsSchema>;
export type ThresholdsInput = z.input<typeof thresholdsSchema>;
