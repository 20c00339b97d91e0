/**
 * Latency of acknowledged writes: HDR histograms in microseconds, carried as compressed base64.
 * hdr-histogram-js's JavaScript histograms and their V2 compressed encoding, taken from the modules
 * that hold them: the package's index also loads its WebAssembly build (a 40 KB base64 module in
 * every Lambda bundle that measures or reports), which the drill never uses.
 */

import type { Histogram } from 'hdr-histogram-js';
// Adds JsHistogram.decode and encodeIntoCompressedBase64 (zlib in Node).
import { decompress } from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';

export type LatencyHistogram = JsHistogram;

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
  const Histogram = constructorFromBucketSize(32);
  const histogram = new Histogram(1, 2, 3);
  histogram.autoResize = true;
  return histogram;
}

export function recordLatency(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return histogram.encodeIntoCompressedBase64();
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  return JsHistogram.decode(decompress(Buffer.from(encoded.trim(), 'base64')));
}

const ms = (us: number): number => Math.round(us) / 1000;

export function percentilesOf(histogram: Histogram): LatencyPercentiles {
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
