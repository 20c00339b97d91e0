/** The charts-data checker alone: the probe's lane around the disruption, and each writer's lane. */
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { profileRun, STARTED_AT_EPOCH_MS } from '../../../test/support/report-inputs.js';
import { chartDataOf, laneTimelineOf, probeTimelineOf } from './chart-data.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;
const sum = (values: number[]) => values.reduce((a, v) => a + v, 0);

describe('chart data', () => {
  it("cuts the probe's lane to the disruption ± 5 s, every failed write in it", () => {
    // Prepare: refused over [10 000, 12 000) ms of 20 s.
    const { summary } = synthesize({
      rate: 200,
      writes: 4000,
      outcomeAt: (t) => (t >= 10_000 && t < 12_000 ? refused : 'ok'),
    });

    // Act
    const timeline = probeTimelineOf(summary);

    // Assess
    expect(timeline).toMatchObject({
      bucketMs: 100,
      startMs: 4900,
      startEpochMs: summary.startedAtEpochMs + 4900,
    });
    expect(timeline.ok).toHaveLength(122);
    expect(sum(timeline.fail)).toBe(400);
  });

  it('merges buckets beyond 1200, so that the lane still adds up to the run', () => {
    // Prepare: 200 s undisturbed at 100 ms buckets: 2000 of them.
    const { summary } = synthesize({ rate: 50, writes: 10_000 });

    // Act
    const timeline = probeTimelineOf(summary);

    // Assess
    expect(timeline.bucketMs).toBe(200);
    expect(timeline.ok).toHaveLength(1000);
    expect(sum(timeline.ok)).toBe(10_000);
  });

  it("puts a writer's whole run on the probe's time axis", () => {
    // Prepare: a profile started 300 ms after the probe.
    const run = profileRun('fail-fast', { startedAtEpochMs: STARTED_AT_EPOCH_MS + 300 });

    // Act
    const lane = laneTimelineOf(run, STARTED_AT_EPOCH_MS);
    const own = laneTimelineOf(run, null);
    const none = laneTimelineOf({ ...run, timeline: undefined }, STARTED_AT_EPOCH_MS);

    // Assess
    expect(lane).toMatchObject({ startMs: 300, startEpochMs: STARTED_AT_EPOCH_MS + 300 });
    expect(sum(lane!.ok)).toBe(1000);
    expect(own!.startMs).toBe(0);
    expect(none).toBeNull();
  });

  it('has no charts without a summary', () => {
    // Act
    const data = chartDataOf(undefined);

    // Assess
    expect(data).toEqual({ timeline: null, writeSample: null });
  });

  it("puts a planned change's request, progress and end on the probe's axis", () => {
    // Prepare: requested 9 s into the probe's run, 50 % at 10 s, applied at 12 s.
    const { summary } = synthesize({ rate: 200, writes: 4000 });
    const t0 = summary.startedAtEpochMs + 9000;
    const change = {
      source: 'reshard',
      requested: { nodeGroupCount: 3 },
      progress: [
        { at: t0 + 1000, percent: 50 },
        { at: t0 + 3000, percent: 100 },
      ],
      before: { nodeGroups: [] },
      finishedAt: t0 + 3000,
    };

    // Act
    const data = chartDataOf(summary, { change, t0EpochMs: t0 });
    const withoutT0 = chartDataOf(summary, { change, t0EpochMs: null });

    // Assess
    expect(data.changeTimeline).toEqual({
      source: 'reshard',
      requestedMs: 9000,
      progress: [
        { atMs: 10_000, percent: 50 },
        { atMs: 12_000, percent: 100 },
      ],
      finishedMs: 12_000,
    });
    expect(withoutT0).not.toHaveProperty('changeTimeline');
  });
});
