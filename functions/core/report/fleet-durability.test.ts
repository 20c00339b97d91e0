/** A fleet across groups of different durability modes: each row's mode, promise and write cost, side by side. Pure. */
import { describe, expect, it } from 'vitest';
import type { ReportStore } from '../../shared/report-store.js';
import type { FleetPlan } from '../drill/fleet.js';
import type { DrillReport } from './drill-report.js';
import { renderFleetHtml } from './fleet-html.js';
import { type FleetReport, fleetDurabilityOf, fleetReport, formatFleetReport } from './fleet-report.js';

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
      /sync-group\/0001 +lost 0 of 1000, downtime 900 ms; durability sync, write p50 0.625 \/ p99 2.5 ms, promise kept, 0 rejected/,
    );
    expect(text).toMatch(
      /async-group\/0001 +lost 0 of 1000, downtime 900 ms; durability async, write p50 0.2 \/ p99 0.8 ms, promise kept, 12 rejected/,
    );
    expect(text).toMatch(/plain-group\/0001 +lost 0 of 1000, downtime 900 ms\n/);
  });

  it('shows a sync and a disabled group’s mode beside its write p50 / p99, in the text and the HTML', async () => {
    // Prepare: two stored reports, as the fleet's drills leave them; the plain one has no durability
    const latencyBefore = (p50: number, p99: number) => ({ latency: { before: { count: 900, p50, p99 } } });
    const stored: Record<string, unknown> = {
      'fleet-2-durable-0001': {
        verdict: 'pass',
        writes: { acknowledged: 900, lost: 0 },
        downtime: { ms: 1400 },
        ...latencyBefore(1.9, 4.2),
        durability: durability('sync', true, 4.2, 0),
      },
      'fleet-2-plain-0001': {
        verdict: 'fail',
        writes: { acknowledged: 900, lost: 210 },
        downtime: { ms: 700 },
        ...latencyBefore(0.31, 0.9),
      },
    };
    const store = { load: async (runId: string) => stored[runId] } as unknown as ReportStore;
    const target = (group: string) => ({
      replicationGroupId: group,
      nodeGroupId: '0001',
      runId: `fleet-2-${group}-0001`,
      input: {},
    });
    const plan = {
      runId: 'fleet-2',
      acceptedAt: 0,
      maxConcurrency: 2,
      groups: ['durable', 'plain'].map((g) => ({ replicationGroupId: g, targets: [target(g)] })),
      refused: [],
      budget: null,
    } as unknown as FleetPlan;

    // Act
    const report = await fleetReport({ request: {}, execution: 'fleet-2', plan }, store);
    const text = formatFleetReport(report, 'fleet');
    const page = renderFleetHtml(report);

    // Assess
    expect(report.targets.map((t) => t.writeLatency)).toEqual([
      { durability: 'sync', p50: 1.9, p99: 4.2 },
      { durability: 'disabled', p50: 0.31, p99: 0.9 },
    ]);
    expect(text).toMatch(
      /durable\/0001 .*; durability sync, write p50 1.9 \/ p99 4.2 ms, promise kept, 0 rejected\n/,
    );
    expect(text).toMatch(/plain\/0001 .*; durability disabled, write p50 0.31 \/ p99 0.9 ms\n/);
    expect(page).toContain('<th>durability</th><th>write p50 / p99</th>');
    expect(page).toContain('<td>sync</td><td>1.9 / 4.2 ms</td>');
    expect(page).toContain('<td>disabled</td><td>0.31 / 0.9 ms</td>');
  });
});
