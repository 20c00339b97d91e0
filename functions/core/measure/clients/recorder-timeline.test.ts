import { describe, expect, it } from 'vitest';
import { decodeTimeline } from '../timeline.js';
import { ProfileRecorder } from './run.js';

const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);

describe("a profile's timeline", () => {
  it('adds up to its counts and stays bounded however long the run (re-bucketed, never cut)', () => {
    // Prepare: 10 minutes at 100 writes/s; a 2 s outage of failures at 5 min.
    const recorder = new ProfileRecorder();
    let seq = 0;
    for (let ms = 0; ms < 600_000; ms += 10) {
      const outage = ms >= 300_000 && ms < 302_000;
      recorder.settle(seq++, ms, ms + 1, outage ? { outcome: 'fail', kind: 'NOT_CONNECTED' } : 'ok');
    }

    // Act
    const parts = recorder.parts(600_000, 0);
    const timeline = decodeTimeline(parts.timeline!);

    // Assess
    expect(timeline.ok.length).toBeLessThanOrEqual(1200);
    expect(timeline.bucketMs).toBe(500);
    expect(sum(timeline.ok)).toBe(parts.acknowledged);
    expect(sum(timeline.fail)).toBe(parts.failed);
    expect(parts.failed).toBe(200);
    // The failures are where the outage was: buckets 600–603 of 500 ms.
    expect(timeline.fail.flatMap((n, i) => (n > 0 ? [i] : []))).toEqual([600, 601, 602, 603]);
  });
});
