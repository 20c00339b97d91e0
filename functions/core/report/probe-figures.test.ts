/** The figures checker alone: the probe's counts, downtime, failover timings and run facts from plain data. */
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { probeVerification } from '../../../test/support/report-inputs.js';
import type { SeqRange } from '../measure/ranges.js';
import { probeFiguresOf, t0EpochMsOf } from './probe-figures.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

/** 20 s at 200 writes/s: refused over [10 000, 11 000) ms, timing out over [11 000, 12 000); B promoted at 11 500 ms. */
const disrupted = () =>
  synthesize({
    rate: 200,
    writes: 4000,
    outcomeAt: (t) => (t >= 10_000 && t < 12_000 ? (t < 11_000 ? refused : timeout) : 'ok'),
    identityAt: (t) => (t < 11_500 ? { id: 'A', role: 'master' } : { id: 'B', role: 'master' }),
  }).summary;

describe('probeFiguresOf', () => {
  it('counts what the writer sent and what the read-back found', () => {
    // Prepare
    const summary = disrupted();
    const verification = probeVerification(3600, {
      lost: 3,
      recovered: 150,
      indeterminateAbsent: 50,
      unexpected: 1,
    });

    // Act
    const { writes, errors } = probeFiguresOf(summary, verification, undefined);

    // Assess
    expect(writes).toEqual({
      attempted: 4000,
      acknowledged: 3600,
      failed: 200,
      indeterminate: 200,
      lost: 3,
      recovered: 150,
      unexpected: 1,
      indeterminateAbsent: 50,
      failedButPresent: 0,
      skipped: 0,
      baselineNonOk: 0,
      predictedLost: null,
    });
    expect(errors).toEqual({ NOT_CONNECTED: 200, TIMEOUT: 200 });
  });

  it('counts the failover from T0 when TestFailover was requested, else from the disruption', () => {
    // Prepare
    const summary = disrupted();
    const anchor = summary.startedAtEpochMs;
    const withT0 = { triggered: true, events: [{ kind: 'requested' as const, atEpochMs: anchor + 9000 }] };

    // Act
    const fromT0 = probeFiguresOf(summary, probeVerification(3600), withT0).failover;
    const fromDisruption = probeFiguresOf(summary, probeVerification(3600), { triggered: false }).failover;

    // Assess
    expect(fromT0).toMatchObject({ reference: 'T0', referenceEpochMs: anchor + 9000, timeToPromoteMs: 2500 });
    expect(fromDisruption).toMatchObject({ reference: 'disruptionStart', from: 'A', to: 'B' });
    // The disruption starts at the last ok before the first refusal, completed at 9995.2 ms.
    expect(fromDisruption.referenceEpochMs).toBeCloseTo(anchor + 9995.2, 1);
    expect(t0EpochMsOf(withT0)).toBe(anchor + 9000);
    expect(t0EpochMsOf({ triggered: false })).toBeNull();
  });

  it('lists at most 1000 lost ranges, though it counts every lost write', () => {
    // Prepare
    const lostRanges: SeqRange[] = Array.from({ length: 1500 }, (_, i) => [i * 2, i * 2]);
    const verification = probeVerification(3600, { lost: 1500, lostRanges });

    // Act
    const figures = probeFiguresOf(disrupted(), verification, undefined);

    // Assess
    expect(figures.writes.lost).toBe(1500);
    expect(figures.lostRanges).toHaveLength(1000);
  });

  it('has zeros and nulls when nothing ran', () => {
    // Act
    const figures = probeFiguresOf(undefined, undefined, undefined);

    // Assess
    expect(figures).toMatchObject({
      runId: null,
      endpoint: null,
      failoverTriggered: false,
      disruption: { observed: false, cause: null, note: 'no writes were made' },
      writes: { attempted: 0, acknowledged: 0, lost: 0, predictedLost: null },
      errors: {},
      downtime: { ms: 0, complete: false, bounds: null },
      failover: { from: null, to: null, reference: null, events: [] },
      latency: { before: { count: 0 }, during: { count: 0 }, after: { count: 0 } },
      run: { startedAtEpochMs: null, verifiedFrom: null },
    });
  });
});
