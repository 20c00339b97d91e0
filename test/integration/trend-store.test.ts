/**
 * The trend against stored reports of known figures: drills saved into a real report directory, as the
 * drill saves them, then one more whose trend must state their medians and the regression rule's verdict.
 * The trend is derived (medians and a rule, proved over known inputs in trend.test.ts); this proves that it
 * is derived from exactly the stored figures.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { saveDrillReport } from '../../functions/core/report/save-report.js';
import { directoryReportStore } from '../../functions/shared/report-store.js';

const fixture = new URL('../support/fixtures/report-lost-writes.json', import.meta.url);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A stored report of the fixture's target with the figures given. */
async function drill(runId: string, downtimeMs: number, lost: number): Promise<DrillReport> {
  const report = JSON.parse(await readFile(fixture, 'utf8')) as DrillReport;
  report.runId = runId;
  report.drill = { ...report.drill, executionName: runId };
  report.downtime = { ...report.downtime, ms: downtimeMs };
  report.writes = { ...report.writes, lost };
  report.verdict = lost > 0 ? 'fail' : 'pass';
  delete report.trend;
  return report;
}

describe('the trend over stored reports of known figures', () => {
  it('states the medians of the stored drills and a regression against them', async () => {
    // Prepare: three drills of known figures in a report directory, a minute apart
    const dir = await mkdtemp(join(tmpdir(), 'failover-drill-trend-store-'));
    dirs.push(dir);
    const store = directoryReportStore(dir);
    const past: [string, number, number][] = [
      ['drill-a', 400, 0],
      ['drill-b', 1000, 10],
      ['drill-c', 600, 4],
    ];
    for (const [i, [runId, downtimeMs, lost]] of past.entries())
      await saveDrillReport(await drill(runId, downtimeMs, lost), store, () => 60_000 * (i + 1));

    // Act: a drill that lost more than the median, its downtime over median × 1.5 + 250 ms (1150 ms)
    const saved = await saveDrillReport(await drill('drill-d', 1200, 5), store, () => 60_000 * 4);

    // Assess: the medians of 400/1000/600 ms and 0/10/4 writes, and the stored report says the same
    expect(saved.trend).toMatchObject({
      previous: 3,
      downtimeMedianMs: 600,
      lostMedian: 4,
      regression: true,
    });
    expect(saved.trend!.reasons).toEqual([
      'lost 5 writes, median 4',
      'downtime 1200 ms over 1150 ms (median 600 ms)',
    ]);
    expect(saved.trend!.history.map((h) => [h.runId, h.downtimeMs, h.lost])).toEqual(past);
    const stored = (await store.load('drill-d')) as DrillReport;
    expect(stored.trend).toEqual(saved.trend);
  });
});
