/** A fleet across durable groups of different modes: each row's mode, promise and write cost, side by side. Pure. */
import { describe, expect, it } from 'vitest';
import type { DrillReport } from './drill-report.js';
import { type FleetReport, fleetDurabilityOf, formatFleetReport } from './fleet-report.js';

const durability = (mode: 'sync' | 'async', kept: boolean, p99: number, rejected: number) =>
  ({
    configured: mode,
    effective: mode,
    kept,
    rejectedWrites: { count: rejected },
    writeLatency: { mode, count: 1000, p50: p99 / 4, p99, p999: p99 * 2 },
  }) as unknown as DrillReport['durability'];

const row = (group: string, d: DrillReport['durability']) => ({
  replicationGroupId: group,
  nodeGroupId: '0001',
  runId: `fleet-${group}`,
  verdict: 'pass' as const,
  writes: { acknowledged: 1000, lost: 0 },
  downtime: { ms: 900 },
  error: null,
  report: null,
  trend: null,
  refused: false,
  ...fleetDurabilityOf(d),
});

describe('a fleet of durable groups', () => {
  it('shows each group’s mode, promise, write p99 and rejections on its line; a plain group shows none', () => {
    // Prepare
    const report = {
      verdict: 'pass',
      headline: 'PASS fleet f',
      budget: null,
      targets: [
        row('sync-group', durability('sync', true, 2.5, 0)),
        row('async-group', durability('async', true, 0.8, 12)),
        row('plain-group', undefined),
      ],
    } as unknown as FleetReport;

    // Act
    const text = formatFleetReport(report, 'fleet');

    // Assess
    expect(report.targets[0]!.durability).toEqual({
      mode: 'sync',
      kept: true,
      rejectedWrites: 0,
      writeLatency: { p50: 0.625, p99: 2.5, p999: 5 },
    });
    expect(report.targets[2]).not.toHaveProperty('durability');
    expect(text).toMatch(
      /sync-group\/0001 +lost 0 of 1000, downtime 900 ms; durability sync, promise kept, write p99 2.5 ms, 0 rejected/,
    );
    expect(text).toMatch(
      /async-group\/0001 +lost 0 of 1000, downtime 900 ms; durability async, promise kept, write p99 0.8 ms, 12 rejected/,
    );
    expect(text).toMatch(/plain-group\/0001 +lost 0 of 1000, downtime 900 ms\n/);
  });
});
