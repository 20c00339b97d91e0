/**
 * The probe's precision, from the writer's tracker to the report: the figures over the whole run and
 * around the disruption, the downtime's bounds widened by them, and the finding past 10 ms. No server.
 */
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { aroundDisruptionOf, PrecisionTracker } from '../measure/precision.js';
import { downtimeOf } from '../measure/timings.js';
import { precisionFindings, probePrecisionOf, withPrecision } from './precision.js';
import { buildReport } from './report.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

describe('PrecisionTracker', () => {
  it('keeps the whole run’s worst lateness and, around the disruption, only what happened near it', () => {
    // Prepare: a 60 ms stall long before the disruption, a 4 ms one within it, a 3 ms late write after it
    const tracker = new PrecisionTracker();
    tracker.loopDelay(300, 500, 60);
    tracker.lateness(520, 59.5);
    tracker.loopDelay(5000, 5200, 4);
    tracker.lateness(7400, 3.001);
    const marks = { startMs: 5000, seenAtMs: 5001, endMs: 6500 } as Parameters<typeof aroundDisruptionOf>[0];
    // Act
    const precision = tracker.summary({ p99: 1.234, max: 60.1 }, aroundDisruptionOf(marks, 9000));
    // Assess: the window is [4000, 7500]; figures are rounded up to a hundredth
    expect(precision).toEqual({
      eventLoopDelayMs: { p99: 1.24, max: 60.1 },
      maxLatenessMs: 59.5,
      aroundDisruption: { eventLoopDelayMaxMs: 4, maxLatenessMs: 3.01 },
    });
  });

  it('keeps a delay read in a window that only overlaps the disruption’s surroundings', () => {
    // Prepare: windows read 100 ms after the surroundings end ([4000, 7500]); one 7 ms stall began
    // before they end, another 9 ms one after
    const tracker = new PrecisionTracker();
    tracker.loopDelay(7400, 7600, 7);
    tracker.loopDelay(7600, 7800, 9);
    const marks = { startMs: 5000, seenAtMs: 5001, endMs: 6500 } as Parameters<typeof aroundDisruptionOf>[0];
    // Act
    const precision = tracker.summary({ p99: 1, max: 9 }, aroundDisruptionOf(marks, 9000));
    // Assess: the window read at 7600 overlaps the surroundings, so its stall may have been within them
    expect(precision.aroundDisruption).toEqual({ eventLoopDelayMaxMs: 7, maxLatenessMs: 0 });
  });

  it('has nothing around a disruption that did not happen', () => {
    // Prepare
    const tracker = new PrecisionTracker();
    tracker.lateness(10, 2);
    // Act
    const precision = tracker.summary({ p99: 0, max: 0 }, aroundDisruptionOf(null, 1000));
    // Assess
    expect(precision.aroundDisruption).toBeNull();
    expect(precision.maxLatenessMs).toBe(2);
  });
});

describe("the report's probe precision", () => {
  // 1 write per ms; writes starting in [1000, 1500) time out after 100 ms
  const { summary } = synthesize({
    rate: 1000,
    writes: 3000,
    outcomeAt: (t) => (t >= 1000 && t < 1500 ? timeout : 'ok'),
    latencyAt: (t) => (t >= 1000 && t < 1500 ? 100 : 0.2),
  });

  it('widens the downtime’s bounds by the worst delay or lateness around the disruption, and leaves its ms', () => {
    // Prepare: the loop was held 12 ms around the disruption; writes were at most 3 ms late there
    const precision = {
      eventLoopDelayMs: { p99: 2, max: 40 },
      maxLatenessMs: 39,
      aroundDisruption: { eventLoopDelayMaxMs: 12, maxLatenessMs: 3 },
    };
    // Act
    const report = buildReport({ summary: { ...summary, precision } });
    // Assess: each end moves out by 12 ms, the length's bounds by 24
    const exact = downtimeOf(summary);
    expect(exact.bounds).toEqual({
      start: { from: 999, to: 1100 },
      end: { from: 1499, to: 1599.2 },
      minMs: 399,
      maxMs: 600.2,
    });
    expect(report.downtime.bounds).toEqual({
      start: { from: 987, to: 1112 },
      end: { from: 1487, to: 1611.2 },
      minMs: 375,
      maxMs: 624.2,
    });
    expect(report.downtime.ms).toBe(exact.ms);
    expect(report.probe.precision).toEqual({ ...precision, boundsWidenedByMs: 12 });
  });

  it('keeps the bounds as they are without a measured precision (a summary from before it was measured)', () => {
    // Act
    const report = buildReport({ summary });
    // Assess
    expect(report.probe.precision).toBeNull();
    expect(report.downtime).toEqual(downtimeOf(summary));
  });

  it('does not close an open bound or push the shortest outage below 0', () => {
    // Prepare: writes refused from 1000 ms and never back; the loop held 50 ms around it
    const open = synthesize({
      rate: 1000,
      writes: 2000,
      outcomeAt: (t) => (t >= 1000 ? refused : 'ok'),
    }).summary;
    const precision = probePrecisionOf({
      ...open,
      precision: {
        eventLoopDelayMs: { p99: 1, max: 50 },
        maxLatenessMs: 0,
        aroundDisruption: { eventLoopDelayMaxMs: 50, maxLatenessMs: 0 },
      },
    });
    // Act
    const bounds = withPrecision(downtimeOf(open), precision).bounds!;
    // Assess
    expect(bounds.end.to).toBeNull();
    expect(bounds.maxMs).toBeNull();
    expect(bounds.minMs).toBe(0);
  });

  it.each([
    [10, 3, false],
    [10.01, 3, true],
    [2, 52, true],
  ])(
    'finds the figures less precise when delay %s ms or lateness %s ms exceeds 10 ms: %s',
    (max, late, found) => {
      // Prepare
      const precision = {
        eventLoopDelayMs: { p99: 1, max },
        maxLatenessMs: late,
        aroundDisruption: null,
        boundsWidenedByMs: 0,
      };
      // Act
      const findings = precisionFindings(precision);
      // Assess
      expect(findings.map((f) => f.id)).toEqual(found ? ['imprecise-probe'] : []);
      if (found) expect(findings[0]!.title).toMatch(/less precise than usual because/);
    },
  );
});
