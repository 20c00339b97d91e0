import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
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
});
