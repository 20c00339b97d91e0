import { describe, expect, it } from 'vitest';
import { seeded, synthesize } from '../../../test/support/history-fixture.js';
import { decodeHistogram, percentilesOf } from './latency.js';
import { NOT_SENT } from './outcomes.js';
import { countSeqs, decodeOutcomes } from './ranges.js';
import { decodeAckLog, HistoryRecorder } from './recorder.js';
import { decodeTimeline } from './timeline.js';
import { downtimeOf } from './timings.js';

const refused = { outcome: 'fail', kind: NOT_SENT } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

describe('HistoryRecorder', () => {
  it('measures downtime from the last ok before the outage to the first ok after it, exactly', () => {
    // Prepare: 1 write per ms, 0.2 ms each; writes starting in [1000, 1500) are refused
    const outage = (t: number) => t >= 1000 && t < 1500;
    // Act
    const { summary } = synthesize({
      rate: 1000,
      writes: 3000,
      outcomeAt: (t) => (outage(t) ? refused : 'ok'),
    });
    const downtime = downtimeOf(summary);
    // Assess
    expect(summary.disruption).toMatchObject({ cause: 'errors', startMs: 999.2, endMs: 1500.2 });
    expect(downtime).toMatchObject({
      ms: 501,
      startMs: 999.2,
      endMs: 1500.2,
      complete: true,
      longestOkGapMs: 501,
    });
    // Refusals before sending only: the outage began in [999, 1000.2] and may have ended at once
    expect(downtime.bounds).toEqual({
      start: { from: 999, to: 1000.2 },
      end: { from: 999, to: 1500.2 },
      minMs: 0,
      maxMs: 501.2,
    });
    expect([summary.attempted, summary.acknowledged, summary.failed, summary.indeterminate]).toEqual([
      3000, 2500, 500, 0,
    ]);
    expect(summary.errors).toEqual({ [NOT_SENT]: 500 });
    expect(countSeqs(decodeOutcomes(summary.outcomes).fail)).toBe(500);
  });

  it('bounds an outage of timeouts by the last ok, the first non-ok, the last timeout and the first ok', () => {
    // Prepare: writes starting in [1000, 1500) time out after 100 ms; one write per ms, 0.2 ms each
    const outage = (t: number) => t >= 1000 && t < 1500;
    // Act
    const { summary } = synthesize({
      rate: 1000,
      writes: 3000,
      outcomeAt: (t) => (outage(t) ? timeout : 'ok'),
      latencyAt: (t) => (outage(t) ? 100 : 0.2),
    });
    const { bounds } = downtimeOf(summary);
    // Assess: the truth [1000, 1500] lies within (the first ok after the last timeout started at 1599)
    expect(bounds).toEqual({
      start: { from: 999, to: 1100 },
      end: { from: 1499, to: 1599.2 },
      minMs: 399,
      maxMs: 600.2,
    });
  });

  it('counts non-ok writes before arming as baseline, not as the disruption', () => {
    // Prepare: a blip at 200 ms (baseline until 500 ms), the outage at [2000, 2100)
    const outcomeAt = (t: number) => (t === 200 || (t >= 2000 && t < 2100) ? timeout : 'ok');
    // Act
    const { summary } = synthesize({ rate: 1000, writes: 3000, outcomeAt, recorder: { armAtMs: 500 } });
    // Assess
    expect(summary.baselineNonOk).toBe(1);
    expect(summary.indeterminate).toBe(101);
    expect(downtimeOf(summary).ms).toBe(101);
    expect(summary.disruption?.firstNonOkMs).toBe(2000.2);
  });

  it('sees a change of primary without errors and records when a new one was promoted', () => {
    // Prepare: A is master; demoted at 1200 ms; B master from 1300 ms
    const identityAt = (t: number) =>
      t < 1200
        ? { id: 'A', role: 'master' }
        : t < 1300
          ? { id: 'A', role: 'slave' }
          : { id: 'B', role: 'master' };
    // Act
    const { summary } = synthesize({ rate: 200, writes: 600, identityAt, recorder: { armAtMs: 100 } });
    // Assess
    expect(summary.disruption).toMatchObject({ cause: 'identity', seenAtMs: 1200, firstNonOkMs: null });
    expect(summary.identity).toMatchObject({ changedAtMs: 1200, promotedAtMs: 1300 });
    expect(summary.identity.initial).toMatchObject({ id: 'A', role: 'master' });
    expect(summary.identity.changes.map((s) => `${s.id}/${s.role}@${s.atMs}`)).toEqual([
      'A/master@0',
      'A/slave@1200',
      'B/master@1300',
    ]);
    expect(downtimeOf(summary).ms).toBe(0);
  });

  it('keeps exact acknowledgement times from the lookback before the disruption on', () => {
    // Prepare: 1 write per ms, outage from 5000 ms; lookback 1000 ms
    const outcomeAt = (t: number) => (t >= 5000 && t < 5100 ? refused : 'ok');
    // Act
    const { summary } = synthesize({
      rate: 1000,
      writes: 6000,
      outcomeAt,
      recorder: { ackLookbackMs: 1000 },
    });
    const acks = decodeAckLog(summary.ackLog);
    // Assess
    expect(acks.get(4999)).toBe(4999.2);
    expect(acks.get(4000)).toBe(4000.2);
    expect(acks.has(3998)).toBe(false);
    expect(acks.get(5100)).toBe(5100.2);
    expect(summary.ackLog).toMatchObject({ fromMs: 4000.2, truncated: false });
  });

  it('splits acknowledged latency into before, during and after the disruption', () => {
    // Prepare: 1 ms before, flapping at 5 ms during [1000, 2000) with every other write refused, 2 ms after
    const outcomeAt = (t: number, seq: number) => (t >= 1000 && t < 2000 && seq % 2 === 0 ? refused : 'ok');
    const latencyAt = (t: number) => (t < 1000 ? 1 : t < 2000 ? 5 : 2);
    // Act
    const { summary } = synthesize({ rate: 1000, writes: 3000, outcomeAt, latencyAt });
    const phase = (encoded: string) => percentilesOf(decodeHistogram(encoded));
    const before = phase(summary.latency.before);
    const during = phase(summary.latency.during);
    const after = phase(summary.latency.after);
    // Assess
    // (HDR reports the highest value equivalent to a recorded one: 5 ms reads as 5.003 ms.)
    expect(before).toMatchObject({ count: 1000, p50: 1, max: 1 });
    expect(during.count + after.count).toBe(1500);
    expect(during.p50).toBeCloseTo(5, 2);
    expect(after.p50).toBeCloseTo(2, 2);
    expect(during.count).toBeGreaterThanOrEqual(498);
  });

  it('keeps the lag read from the replica over an acknowledged one for a second, none after the disruption', () => {
    // Prepare
    const recorder = new HistoryRecorder({ armAtMs: 0 });
    const lagAt = () => {
      const { lagBytes, lagSampledAtMs, lagBytesSource } = recorder.identityTrack;
      return { lagBytes, lagSampledAtMs, lagBytesSource };
    };
    // Act
    recorder.observeLag(900, 10, 'acknowledged');
    const first = lagAt();
    recorder.observeLag(0, 20, 'replica');
    recorder.observeLag(40_000, 500, 'acknowledged'); // up to a second old: the replica's read stands
    const measured = lagAt();
    recorder.observeLag(700, 1100, 'acknowledged'); // the replica not read for a second: the fallback
    const fallback = lagAt();
    recorder.settle(0, 1200, 1201, timeout);
    recorder.observeLag(5, 1300, 'replica');
    // Assess
    expect(first).toEqual({ lagBytes: 900, lagSampledAtMs: 10, lagBytesSource: 'acknowledged' });
    expect(measured).toEqual({ lagBytes: 0, lagSampledAtMs: 20, lagBytesSource: 'replica' });
    expect(fallback).toEqual({ lagBytes: 700, lagSampledAtMs: 1100, lagBytesSource: 'acknowledged' });
    expect(lagAt()).toEqual(fallback);
  });

  it('buckets outcomes by start time in 100 ms buckets', () => {
    // Prepare
    const outcomeAt = (t: number) => (t >= 150 && t < 250 ? timeout : 'ok');
    // Act
    const { summary } = synthesize({ rate: 100, writes: 40, outcomeAt, latencyAt: () => 1.25 });
    const timeline = decodeTimeline(summary.timeline);
    // Assess
    expect(timeline).toEqual({
      bucketMs: 100,
      ok: [10, 5, 5, 10],
      fail: [0, 0, 0, 0],
      info: [0, 5, 5, 0],
      maxLatencyMs: [1.3, 1.3, 1.3, 1.3],
    });
  });

  it('summarises 1 M writes with 1% scattered failures in at most 64 KB', () => {
    // Prepare: 1000 writes/s for 1000 s, latency 0.1-2 ms, 1% failures (seeded), a failover at 600 s
    const random = seeded(42);
    const outcomeAt = () => (random() < 0.01 ? (random() < 0.5 ? refused : timeout) : 'ok');
    const latencyAt = () => 0.1 + random() * 1.9;
    const identityAt = (t: number) =>
      t < 600_000 ? { id: 'A', role: 'master' } : { id: 'B', role: 'master' };
    // Act
    const { summary } = synthesize({ rate: 1000, writes: 1_000_000, outcomeAt, latencyAt, identityAt });
    const bytes = Buffer.byteLength(JSON.stringify(summary));
    // Assess
    expect(summary.attempted).toBe(1_000_000);
    expect(summary.failed + summary.indeterminate).toBeGreaterThan(9000);
    expect(countSeqs(decodeOutcomes(summary.outcomes).ok)).toBe(summary.acknowledged);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    console.log(`summary of 1 M writes: ${bytes} bytes`);
  });
});
