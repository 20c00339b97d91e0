/**
 * A whole local drill of fault `global-failover` through the state machine: Preflight across regions, the
 * RegionFailover Lambda's measured failover over an 800 ms cross-region delay line, Cleanup in both
 * regions, and report.global against the truth the local Global Datastore recorded at its promotion.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GlobalView } from '../../functions/core/report/global-view.js';
import { runLocalDrill } from '../../local/drill.js';

const LAG_MS = 800;

describe('failover-drill local with a Global Datastore', () => {
  it('reports the cross-region loss of an 800 ms delay line, and Cleanup unlinks the region probe keys', async () => {
    // Prepare
    const input = {
      replicationGroupId: 'drill-demo',
      fault: {
        source: 'global-failover',
        globalReplicationGroupId: 'ldgnf-drill-demo',
        secondaryRegion: 'eu-west-1',
        secondaryReplicationGroupId: 'drill-demo-secondary',
      },
      writer: { rate: 200, baselineSeconds: 2, settleSeconds: 1, maxDurationSeconds: 30 },
      recovery: { pollIntervalSeconds: 0.2, maxWaitSeconds: 30 },
      thresholds: { maxCrossRegionLostWrites: 0 },
    };

    // Act
    const result = await runLocalDrill({
      input,
      reportDir: mkdtempSync(join(tmpdir(), 'global-drill-')),
      cloud: {
        replicas: 1,
        global: { crossRegionLagMs: LAG_MS, crossRegionLatencyMs: 0, promotionDelayMs: 300 },
      },
    });

    // Assess
    const report = result.report as unknown as {
      verdict: string;
      error?: unknown;
      global: GlobalView;
      violations: { threshold: string }[];
      cleanup: { deleted: number | null };
    };
    expect(result.outcome.status, JSON.stringify(report?.error ?? result.outcome)).toBe('FAILED');
    expect(report.verdict, JSON.stringify(report.error)).toBe('fail');
    const g = report.global;
    expect([g.before.primaryRegion, g.after.primaryRegion]).toEqual(['us-east-1', 'eu-west-1']);
    expect(g.rpo.lost).toBeGreaterThan(0);
    expect(g.rpo.dataLossWindowMs).toBeGreaterThan(LAG_MS / 2);
    expect(g.rpo.dataLossWindowMs).toBeLessThanOrEqual(LAG_MS + 200);
    expect(g.rto.firstWriteOkMs).toBeGreaterThanOrEqual(300);
    expect(report.violations.map((v) => v.threshold)).toEqual(['maxCrossRegionLostWrites']);
    expect(report.cleanup.deleted ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
