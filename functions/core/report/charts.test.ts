import { readFileSync } from 'node:fs';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { chartInputOf, latencySpec, rateSpec, renderSvg } from './charts.js';
import type { Report } from './report.js';

/** A real local drill that lost writes (`failover-drill local --replication-lag-ms 500`). */
const FIXTURE = new URL('../../../test/fixtures/report-lost-writes.json', import.meta.url);
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
});
