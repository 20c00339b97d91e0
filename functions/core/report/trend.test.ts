import { describe, expect, it } from 'vitest';
import type { PastDrill } from '../../shared/report-store.js';
import { median, TREND_MIN_PREVIOUS, trendOf } from './trend.js';

const entry = (i: number, downtimeMs: number, lost: number, verdict: PastDrill['verdict'] = 'pass') => ({
  runId: `run-${i}`,
  replicationGroupId: 'g',
  nodeGroupId: '0001',
  at: 1000 * i,
  verdict,
  downtimeMs,
  lost,
  files: { json: `${i}.json`, html: `${i}.html` },
});

describe('trendOf', () => {
  it('medians of the previous measured drills; errors and the run itself left out', () => {
    // Prepare
    const past = [entry(1, 100, 0), entry(2, 300, 2), entry(3, 0, 0, 'error'), entry(4, 200, 1)];
    // Act
    const trend = trendOf({ runId: 'run-9', verdict: 'pass', downtimeMs: 210, lost: 1 }, [
      ...past,
      entry(9, 210, 1),
    ]);
    // Assess
    expect(trend).toMatchObject({ previous: 3, downtimeMedianMs: 200, lostMedian: 1, regression: false });
    expect(trend.history.map((h) => h.runId)).toEqual(['run-1', 'run-2', 'run-4']);
  });

  it('a regression: more lost than the median, or downtime over median × 1.5 + 250 ms', () => {
    // Prepare
    const past = [entry(1, 1000, 0), entry(2, 1000, 0), entry(3, 1000, 0)];
    // Act
    const lost = trendOf({ runId: 'x', verdict: 'fail', downtimeMs: 1000, lost: 1 }, past);
    const slow = trendOf({ runId: 'x', verdict: 'pass', downtimeMs: 1751, lost: 0 }, past);
    const within = trendOf({ runId: 'x', verdict: 'pass', downtimeMs: 1750, lost: 0 }, past);
    // Assess
    expect(lost.regression).toBe(true);
    expect(lost.reasons[0]).toContain('lost 1 writes, median 0');
    expect(slow.regression).toBe(true);
    expect(within.regression).toBe(false);
  });

  it(`too little history (< ${TREND_MIN_PREVIOUS}) or an error: not judged`, () => {
    // Act
    const young = trendOf({ runId: 'x', verdict: 'pass', downtimeMs: 9999, lost: 9 }, [entry(1, 1, 0)]);
    const errored = trendOf({ runId: 'x', verdict: 'error', downtimeMs: 0, lost: 0 }, [
      entry(1, 1, 0),
      entry(2, 1, 0),
      entry(3, 1, 0),
    ]);
    // Assess
    expect(young).toMatchObject({ previous: 1, regression: null });
    expect(errored).toMatchObject({ previous: 3, regression: null });
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
