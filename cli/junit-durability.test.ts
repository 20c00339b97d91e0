/** The JUnit case of a durable group's promise: a failure when broken, a pass when kept, absent without one. */
import { describe, expect, it } from 'vitest';
import { dataLossWindowOf } from '../functions/core/measure/timings.js';
import { buildReport } from '../functions/core/report/report.js';
import { synthesize } from '../test/support/history-fixture.js';
import { probeVerification } from '../test/support/report-inputs.js';
import { DURABILITY_CASE, junitXml } from './junit.js';

/** A verified run of 100 writes, `lost` of them lost, judged against a sync promise (or none). */
function report(lost: number, durable: boolean) {
  const { summary } = synthesize({ rate: 100, writes: 100 });
  const window = dataLossWindowOf([], new Map(), null);
  return buildReport({
    summary,
    verification: probeVerification(100 - lost, { lost, dataLossWindow: window }),
    thresholds: { maxLostWrites: 1000 },
    ...(durable
      ? {
          durability: {
            setting: { configured: 'sync', effective: 'sync', source: 'declared', bufferMs: 10_000 },
          },
        }
      : {}),
  });
}

describe('junitXml and durability', () => {
  it('fails durability.promise when a sync group lost a write, whatever the thresholds say', () => {
    // Act
    const broken = junitXml(report(1, true));
    const kept = junitXml(report(0, true));
    const none = junitXml(report(1, false));

    // Assess
    expect(DURABILITY_CASE).toBe('durability.promise');
    expect(broken).toMatch(
      /<testcase name="durability.promise"[^>]*>\s*<failure message="durability promise broken \(sync/,
    );
    expect(kept).toMatch(/<testcase name="durability.promise"[^>]*\/>/);
    expect(none).not.toMatch(/durability/);
  });
});
