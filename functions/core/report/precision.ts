/**
 * The probe's precision in the report: the writer's own timing figures (`summary.precision`), the
 * downtime's bounds widened by how late its timing ran around the disruption, and the finding when it
 * ran later than the figures tolerate. Pure functions of plain data.
 */
import type { ProbePrecision, WriterSummary } from '../measure/summary.js';
import { type Downtime, round } from '../measure/timings.js';
import type { Finding } from './findings.js';

/** Above this (ms) a run's figures are less precise than usual: the finding says so. */
export const PRECISION_TOLERANCE_MS = 10;

export interface ReportPrecision extends ProbePrecision {
  /** What the downtime's bounds were widened by: the worst delay or lateness around the disruption. */
  boundsWidenedByMs: number;
}

/** The report's `probe.precision`; null for a summary written before the writer measured it. */
export function probePrecisionOf(summary: WriterSummary | undefined): ReportPrecision | null {
  const precision = summary?.precision;
  if (!precision) return null;
  const around = precision.aroundDisruption;
  const boundsWidenedByMs = around ? Math.max(around.eventLoopDelayMaxMs, around.maxLatenessMs) : 0;
  return { ...precision, boundsWidenedByMs };
}

/**
 * The downtime with its bounds widened by `precision.boundsWidenedByMs` at each end: the times they rest
 * on were read by an event loop that may have been that late. `ms` itself is unchanged.
 */
export function withPrecision(downtime: Downtime, precision: ReportPrecision | null): Downtime {
  const by = precision?.boundsWidenedByMs ?? 0;
  const b = downtime.bounds;
  if (!b || by <= 0) return downtime;
  const start = { from: b.start.from === null ? null : round(b.start.from - by), to: round(b.start.to + by) };
  const end = { from: round(b.end.from - by), to: b.end.to === null ? null : round(b.end.to + by) };
  return {
    ...downtime,
    bounds: {
      start,
      end,
      minMs: round(Math.max(0, end.from - start.to)),
      maxMs: end.to === null || start.from === null ? null : round(end.to - start.from),
    },
  };
}

/** The precision in one line, as the text and HTML reports show it. */
export const precisionLine = (p: ProbePrecision): string =>
  `event-loop delay p99 ${p.eventLoopDelayMs.p99} / max ${p.eventLoopDelayMs.max} ms, writes up to ${p.maxLatenessMs} ms late`;

/** The worst of the whole run's event-loop delay and lateness (ms). */
export const worstSlipMs = (p: ProbePrecision): number => Math.max(p.eventLoopDelayMs.max, p.maxLatenessMs);

/** One finding when the probe's timing slipped more than PRECISION_TOLERANCE_MS; none otherwise. */
export function precisionFindings(precision: ReportPrecision | null | undefined): Finding[] {
  if (!precision || worstSlipMs(precision) <= PRECISION_TOLERANCE_MS) return [];
  const { eventLoopDelayMs: delay, maxLatenessMs, boundsWidenedByMs } = precision;
  return [
    {
      id: 'imprecise-probe',
      severity: 'warning',
      title: `This run's figures are less precise than usual because the probe's own timing slipped by up to ${Math.round(worstSlipMs(precision))} ms.`,
      detail:
        `The writer's event loop was held up to ${delay.max} ms (p99 ${delay.p99} ms) and a write started up to ` +
        `${maxLatenessMs} ms after its schedule. Something in its process held it: client profiles sharing its ` +
        'event loop, a garbage collection, or a loaded machine. Its latencies may read that much high, and its ' +
        `downtime that much off either way; the downtime's bounds were widened by ${boundsWidenedByMs} ms. ` +
        'For exact figures, run again with nothing else in the writer’s process and on a quieter machine.',
      figures: [
        { name: 'event-loop delay (max / p99)', value: `${delay.max} / ${delay.p99} ms` },
        { name: 'latest write against its schedule', value: `${maxLatenessMs} ms` },
        { name: 'downtime bounds widened by', value: `${boundsWidenedByMs} ms` },
      ],
    },
  ];
}
