/** Latency of acknowledged writes: HDR histograms in microseconds, carried as compressed base64. */
import * as hdr from 'hdr-histogram-js';

export type LatencyHistogram = hdr.Histogram;

export interface LatencyPercentiles {
  count: number;
  /** Milliseconds; null when nothing was recorded. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** p99.9 */
  p999: number | null;
  max: number | null;
}

export function createLatencyHistogram(): LatencyHistogram {
  // 3 significant digits from 1 µs, auto-resizing: a hung write of minutes still records exactly enough.
  return hdr.build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function recordLatency(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(encoded);
}

const ms = (us: number): number => Math.round(us) / 1000;

export function percentilesOf(histogram: LatencyHistogram): LatencyPercentiles {
  const count = histogram.totalCount;
  if (count === 0) return { count, p50: null, p95: null, p99: null, p999: null, max: null };
  return {
    count,
    p50: ms(histogram.getValueAtPercentile(50)),
    p95: ms(histogram.getValueAtPercentile(95)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}
