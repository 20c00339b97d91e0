/**
 * The writer's own precision: how late its writes started and how long its event loop was held, over the
 * whole run and around the disruption. A pure tracker over writer ms; the I/O shell feeds it each write's
 * lateness (the scheduler knows it) and each event-loop-delay window, and it becomes `summary.precision`.
 */
import type { DisruptionMarks, ProbePrecision } from './summary.js';

/** "Around the disruption": from this long before its start to this long after its end. */
export const AROUND_DISRUPTION_MS = 1000;
/** Lateness and delay are kept per bucket of this length, so that any window can be asked for afterwards. */
const BUCKET_MS = 100;

export class PrecisionTracker {
  private maxLatenessMs = 0;
  /** Bucket → [max lateness, max event-loop delay] in it. */
  private readonly buckets = new Map<number, [number, number]>();

  /** A write started `ms` after it could have been sent, at `atMs`. */
  lateness(atMs: number, ms: number): void {
    if (ms <= 0) return;
    this.maxLatenessMs = Math.max(this.maxLatenessMs, ms);
    this.bucket(atMs)[0] = Math.max(this.bucket(atMs)[0], ms);
  }

  /**
   * The event loop was held up to `ms` somewhere from `fromMs` to `toMs`: every bucket of that span keeps
   * it, so that a window asked for afterwards has it when it overlaps the span at all.
   */
  loopDelay(fromMs: number, toMs: number, ms: number): void {
    if (ms <= 0) return;
    for (let key = Math.floor(fromMs / BUCKET_MS); key <= Math.floor(toMs / BUCKET_MS); key++) {
      const entry = this.bucket(key * BUCKET_MS);
      entry[1] = Math.max(entry[1], ms);
    }
  }

  /**
   * The summary's figures: the whole run's event-loop delay (measured by the shell's histogram) and
   * lateness, and both maxima within `around` (writer ms; null: no disruption).
   */
  summary(
    eventLoopDelayMs: ProbePrecision['eventLoopDelayMs'],
    around: { fromMs: number; toMs: number } | null,
  ): ProbePrecision {
    let aroundDisruption: ProbePrecision['aroundDisruption'] = null;
    if (around) {
      let late = 0;
      let delay = 0;
      for (const [bucket, [l, d]] of this.buckets) {
        const fromMs = bucket * BUCKET_MS;
        if (fromMs + BUCKET_MS <= around.fromMs || fromMs > around.toMs) continue;
        late = Math.max(late, l);
        delay = Math.max(delay, d);
      }
      aroundDisruption = { eventLoopDelayMaxMs: ceil(delay), maxLatenessMs: ceil(late) };
    }
    return {
      eventLoopDelayMs: { p99: ceil(eventLoopDelayMs.p99), max: ceil(eventLoopDelayMs.max) },
      maxLatenessMs: ceil(this.maxLatenessMs),
      aroundDisruption,
    };
  }

  private bucket(atMs: number): [number, number] {
    const key = Math.floor(atMs / BUCKET_MS);
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = [0, 0];
      this.buckets.set(key, entry);
    }
    return entry;
  }
}

/** The disruption ± AROUND_DISRUPTION_MS (writer ms); to the run's end when writes never came back. */
export function aroundDisruptionOf(
  marks: DisruptionMarks | null,
  durationMs: number,
): { fromMs: number; toMs: number } | null {
  if (!marks) return null;
  return {
    fromMs: (marks.startMs ?? marks.seenAtMs) - AROUND_DISRUPTION_MS,
    toMs: (marks.endMs ?? durationMs) + AROUND_DISRUPTION_MS,
  };
}

/** Precision figures are rounded up: they bound an error, so rounding never understates it. */
function ceil(ms: number): number {
  // Through 0.0001 ms first, so that float noise (0.30000000000000004) does not round up a hundredth.
  return Math.ceil(Math.round(ms * 10_000) / 100) / 100;
}
