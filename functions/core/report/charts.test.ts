import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { CrossRegionWrite } from '../measure/global-figures.js';
import { regionTimeline } from '../measure/region-timelines.js';
import { chartInputOf, latencySpec, rateSpec, renderSvg } from './charts.js';
import type { Report } from './report.js';

/** A real local drill that lost writes (`failover-drill local --replication-lag-ms 500`). */
const FIXTURE = new URL('../../../test/support/fixtures/report-lost-writes.json', import.meta.url);
const report = (): Report => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Report;

/** The same spec through the whole of vega, as the package renders it. */
async function renderWithVega(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

describe('the charts', () => {
  it('render the same SVG through the modular vega as through the whole of it', async () => {
    // Prepare: one lane, and two (the faceted layout client profiles and shards get).
    const input = chartInputOf(report());
    const laned = { ...input, lanes: [input.lanes[0]!, { ...input.lanes[0]!, name: 'b' }] };
    const specs = [rateSpec(input), latencySpec(input), rateSpec(laned), latencySpec(laned)];

    // Act
    const ours = await Promise.all(specs.map((spec) => renderSvg(spec!)));
    const theirs = await Promise.all(specs.map((spec) => renderWithVega(spec!)));

    // Assess
    expect(ours.map((svg) => svg.length)).toEqual(theirs.map((svg) => svg.length));
    expect(ours).toEqual(theirs);
    expect(ours[0]).toMatch(/^<svg /);
  });

  it('draws a lane per client profile and per shard, in order, the lost writes on the probe lane only', async () => {
    // Prepare: a fail-fast profile and a shard writer, failing where the probe failed.
    const base = report();
    const lane = {
      ...base.timeline!,
      fail: base.timeline!.ok.map((_, i) => (base.timeline!.fail[i] ? 7 : 0)),
    };
    const withLanes = {
      ...base,
      clients: [{ ...base.clients?.[0], name: 'fail-fast', timeline: lane }],
      shards: [{ nodeGroupId: '0001', target: true, timeline: lane }],
    } as unknown as Report;

    // Act
    const input = chartInputOf(withLanes);
    const rate = rateSpec(input)!;
    const svg = await renderSvg(rate);

    // Assess
    expect(input.lanes.map((l) => l.name)).toEqual(['probe', 'client fail-fast', 'shard 0001 (failed over)']);
    const rows = (rate as { data: { values: Record<string, unknown>[] } }).data.values;
    for (const name of ['client fail-fast', 'shard 0001 (failed over)']) {
      const failed = rows.filter((r) => r.lane === name && r.kind === 'bucket' && r.outcome === 'fail');
      expect(
        failed.reduce((n, r) => n + (r.n as number), 0),
        name,
      ).toBe(7 * lane.fail.filter((n) => n > 0).length);
      expect(rows.some((r) => r.lane === name && r.kind === 'window')).toBe(true);
      expect(rows.some((r) => r.lane === name && r.kind === 'lost')).toBe(false);
      expect(svg).toContain(name);
    }
    expect(rows.some((r) => r.lane === 'probe' && r.kind === 'lost')).toBe(true);
  });

  it('draws both regions of a region failover, and the failback after them, on one time axis', async () => {
    // Prepare: 2 s in us-east-1 (ok, then 3 READONLY), then eu-west-1; the failback 10 s later, back again.
    const T = 1_700_000_000_000;
    const leg = (at: number, from: string, to: string): CrossRegionWrite[] => [
      ...Array.from({ length: 200 }, (_, i) => ({
        seq: i,
        region: from,
        startEpochMs: at + i * 10,
        endEpochMs: at + i * 10 + 1,
        outcome: 'ok' as const,
      })),
      ...[0, 1, 2].map((i) => ({
        seq: 200 + i,
        region: from,
        startEpochMs: at + 2000 + i,
        endEpochMs: at + 2000 + i,
        outcome: 'fail' as const,
      })),
      ...Array.from({ length: 100 }, (_, i) => ({
        seq: 203 + i,
        region: to,
        startEpochMs: at + 2500 + i * 10,
        endEpochMs: at + 2501 + i * 10,
        outcome: 'ok' as const,
      })),
    ];
    const figures = (at: number, from: string, to: string) => ({
      globalReplicationGroupId: 'ldgnf-drill-demo',
      before: { primaryRegion: from },
      after: { primaryRegion: to },
      rpo: {
        lost: 0,
        dataLossWindowMs: 0,
        bounds: { minMs: 0, maxMs: 0 },
        ageAtRequestMs: { min: null, max: null },
      },
      rto: { firstWriteOkMs: 1000, rolesSwappedMs: 1200 },
      crossRegionLagMs: { measured: 70, metric: null },
      timeline: regionTimeline(leg(at, from, to), at + 1500),
    });
    const base = report();
    const global = {
      ...figures(T, 'us-east-1', 'eu-west-1'),
      failBack: figures(T + 10_000, 'eu-west-1', 'us-east-1'),
    };
    const drilled = {
      ...base,
      run: { ...base.run, startedAtEpochMs: null },
      timeline: null,
      writeSample: null,
      failover: { ...base.failover, referenceEpochMs: null, events: [], timeToPromoteMs: null },
      downtime: { ...base.downtime, startMs: null, endMs: null },
      writes: { ...base.writes, lost: 0 },
      global,
    } as unknown as Report;

    // Act
    const input = chartInputOf(drilled);
    const rate = rateSpec(input)!;
    const svg = await renderSvg(rate);

    // Assess
    const names = [
      'region us-east-1',
      'region eu-west-1',
      'failback: region eu-west-1',
      'failback: region us-east-1',
    ];
    expect(input.lanes.slice(1).map((l) => l.name)).toEqual(names);
    expect(input.originMs).toBe(1500);
    expect(input.originLabel).toBe('the region failover requested');
    const rows = (rate as { data: { values: Record<string, unknown>[] } }).data.values;
    const count = (lane: string, outcome: string) =>
      rows
        .filter((r) => r.lane === lane && r.kind === 'bucket' && r.outcome === outcome)
        .reduce((n, r) => n + (r.n as number), 0);
    expect(names.map((lane) => [count(lane, 'ok'), count(lane, 'fail')])).toEqual([
      [200, 3],
      [100, 0],
      [200, 3],
      [100, 0],
    ]);
    // The failback's lanes sit 10 s later on the same axis (ms from the first request).
    const firstBucket = (lane: string) =>
      Math.min(...rows.filter((r) => r.lane === lane && r.kind === 'bucket').map((r) => r.t as number));
    expect(firstBucket('failback: region eu-west-1') - firstBucket('region us-east-1')).toBe(10_000);
    expect(input.markers.map((m) => [m.atMs, m.label])).toEqual([
      [1500, 'failover to eu-west-1 requested'],
      [2500, 'first write acknowledged in eu-west-1'],
      [11_500, 'failback: failover to us-east-1 requested'],
      [12_500, 'failback: first write acknowledged in us-east-1'],
    ]);
    for (const name of names) expect(svg).toContain(name);
  });

  it("marks a planned change's request and end, and its progress along the probe's lane", async () => {
    // Prepare: a reshard requested at the fixture's T0 marker, applied 2 s later, 40 % halfway.
    const base = report();
    const requestedMs = base.timeline!.startMs + 1000;
    const withChange = {
      ...base,
      changeTimeline: {
        source: 'reshard',
        requestedMs,
        progress: [{ atMs: requestedMs + 1000, percent: 40 }],
        finishedMs: requestedMs + 2000,
      },
    } as Report;

    // Act
    const input = chartInputOf(withChange);
    const rate = rateSpec(input)!;
    const svg = await renderSvg(rate);

    // Assess
    expect(input.markers).toEqual(
      expect.arrayContaining([
        { atMs: requestedMs, label: 'T0: reshard requested' },
        { atMs: requestedMs + 2000, label: 'reshard applied' },
      ]),
    );
    // The change's request stands for T0's generic marker, which would name TestFailover.
    expect(input.markers.map((m) => m.label)).not.toContain('T0: TestFailover requested');
    const values = (rate as { data: { values: { kind?: string; label?: string }[] } }).data.values;
    expect(values.filter((v) => v.kind === 'progress').map((v) => v.label)).toEqual(['40 %']);
    expect(svg).toContain('40 %');
    expect(svg).toContain('reshard applied');
  });
});
