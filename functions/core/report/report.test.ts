import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { probeVerification } from '../../../test/support/report-inputs.js';
import { DataPlaneError } from '../../shared/errors.js';
import { NOT_SENT } from '../measure/outcomes.js';
import { buildReport } from './report.js';

const refused = { outcome: 'fail', kind: NOT_SENT } as const;

describe('buildReport', () => {
  it('places control-plane events on the writer timeline and counts from T0', () => {
    // Prepare: outage [10 000, 12 000) ms, B promoted at 11 500 ms; TestFailover requested at 9 000 ms
    const { summary } = synthesize({
      rate: 200,
      writes: 4000,
      outcomeAt: (t) => (t >= 10_000 && t < 12_000 ? refused : 'ok'),
      identityAt: (t) => (t < 11_500 ? { id: 'A', role: 'master' } : { id: 'B', role: 'master' }),
    });
    const anchor = summary.startedAtEpochMs;
    const events = [
      { kind: 'requested' as const, atEpochMs: anchor + 9000 },
      { kind: 'completed' as const, atEpochMs: anchor + 11_800 },
      { kind: 'recoveryFinished' as const, atEpochMs: anchor + 30_000 },
    ];
    // Act
    const report = buildReport({
      summary,
      verification: probeVerification(summary.acknowledged),
      thresholds: { maxDowntimeMs: 1000 },
      failover: { triggered: true, from: 'node-0001-001', to: 'node-0001-002', events },
    });
    // Assess
    expect(report.verdict).toBe('fail');
    expect(report.violations.map((v) => v.message)).toEqual(['downtime ms 2005 > 1000']);
    expect(report.failover).toMatchObject({
      from: 'node-0001-001',
      to: 'node-0001-002',
      reference: 'T0',
      referenceEpochMs: anchor + 9000,
      timeToPromoteMs: 2500,
      timeToFirstSuccessfulWriteMs: 3000.2,
      timeToFullRecoveryMs: 21_000,
    });
    expect(report.failover.events.map((e) => e.atMs)).toEqual([9000, 11_800, 30_000]);
    expect(report.timeline).toMatchObject({ bucketMs: 100, startMs: 4900 });
    expect(report.timeline?.fail.reduce((a, b) => a + b, 0)).toBe(400);
    expect(report.thresholds).toEqual({
      maxDowntimeMs: 1000,
      maxLostWrites: 0,
      maxUnexpectedWrites: 0,
      requireDisruption: false,
    });
  });

  it('passes an undisturbed run and says that no disruption was observed', () => {
    // Prepare
    const { summary } = synthesize({ rate: 200, writes: 100 });
    // Act
    const report = buildReport({ summary, verification: probeVerification(100) });
    // Assess
    expect(report).toMatchObject({
      verdict: 'pass',
      failoverTriggered: false,
      disruption: { observed: false, cause: null },
      downtime: { ms: 0 },
      violations: [],
    });
    expect(report.disruption.note).toMatch(/^no disruption was observed/);
    expect(report.latency.before.count).toBe(100);
  });

  it('builds an error report with nothing but the error', () => {
    // Prepare
    const error = new DataPlaneError('Redis not ready within 5000 ms');
    // Act
    const report = buildReport({ error });
    // Assess
    expect(report).toMatchObject({
      verdict: 'error',
      error: { name: 'DataPlaneError', message: 'Redis not ready within 5000 ms' },
      writes: { attempted: 0, lost: 0 },
      timeline: null,
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
