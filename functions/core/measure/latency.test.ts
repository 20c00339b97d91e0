import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  percentilesOf,
  recordLatency,
} from './latency.js';

// The histograms are built and encoded from hdr-histogram-js's own modules, without its index (and
// its WebAssembly build): they must be the package's histograms, in the package's encoding.
const LATENCIES_MS = [0.05, 0.2, 0.21, 0.9, 1.5, 3, 12.5, 250, 4000, 61_000];

describe('latency histograms', () => {
  it("encode as the package's own index encodes, and decode what it encoded", () => {
    // Prepare
    const ours = createLatencyHistogram();
    const theirs = hdr.build({
      lowestDiscernibleValue: 1,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
    });
    for (const ms of LATENCIES_MS) {
      recordLatency(ours, ms);
      theirs.recordValue(Math.max(1, Math.round(ms * 1000)));
    }

    // Act
    const encoded = encodeHistogram(ours);
    const decoded = decodeHistogram(encoded);

    // Assess: byte for byte the package's encoding; decoded alike (a decoded maximum is its bucket's top).
    expect(encoded).toBe(hdr.encodeIntoCompressedBase64(theirs));
    expect(percentilesOf(decoded)).toEqual(percentilesOf(hdr.decodeFromCompressedBase64(encoded)));
    expect(percentilesOf(decoded)).toMatchObject({ count: 10, p50: 1.5 });
    expect(decoded.maxValue).toBe(hdr.decodeFromCompressedBase64(encoded).maxValue);
  });
});
