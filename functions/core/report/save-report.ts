/**
 * Saves a drill's finished report into the report store (`shared/report-store.ts`, which knows only where
 * files go), with its trend and its entry in the target's past drills.
 */
import type { ReportStore } from '../../shared/report-store.js';
import type { DrillReport } from './drill-report.js';
import { renderReportHtml } from './report-html.js';
import { TREND_WINDOW, trendOf } from './trend.js';

/**
 * Gives the report its trend over the target's previous drills in the store, stores it (JSON and
 * HTML), and records it in the target's past drills for the drills after it.
 */
export async function saveDrillReport(
  report: DrillReport,
  store: ReportStore,
  now: () => number = Date.now,
): Promise<DrillReport> {
  const { replicationGroupId, nodeGroupId, executionName } = report.drill;
  const runId = report.runId ?? executionName;
  const current = {
    runId,
    verdict: report.verdict,
    downtimeMs: report.downtime.ms,
    lost: report.writes.lost,
  };
  // A dry run measured nothing: it neither has a trend nor becomes part of one.
  const measured = replicationGroupId && nodeGroupId && !report.dryRun;
  if (measured) {
    // Twice the window: errors in between are read but not compared.
    report.trend = trendOf(
      current,
      await store.pastDrills(replicationGroupId, nodeGroupId, TREND_WINDOW * 2),
    );
  }
  // The stored JSON says where it is stored (a fleet's summary links each target's report from it).
  report.files = store.locate(runId);
  await store.save(runId, {
    json: `${JSON.stringify(report, null, 2)}\n`,
    html: await renderReportHtml(report),
  });
  if (measured) {
    await store.record({ ...current, replicationGroupId, nodeGroupId, at: now(), files: report.files });
  }
  return report;
}
