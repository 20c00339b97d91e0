/**
 * The fleet's FleetReport step: its summary, saved (JSON and HTML), and one message for the whole fleet.
 * Apart from the drill's Report step so that its Lambda carries no chart renderer. The FleetReport
 * handler is middy wiring around `fleetReportStep`.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { StepLog } from '../../shared/powertools.js';
import type { ReportStore } from '../../shared/report-store.js';
import { renderFleetHtml } from './fleet-html.js';
import { type FleetReport, type FleetState, fleetReport, formatFleetReport } from './fleet-report.js';
import { publishReport } from './notify.js';

export interface FleetReportStepDeps {
  store: ReportStore;
  sns: () => SNSClient;
  /** The topic the verdict is published to; none: no message. */
  topicArn: string | undefined;
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
}

export async function fleetReportStep(state: FleetState, deps: FleetReportStepDeps): Promise<FleetReport> {
  const report = await fleetReport(state, deps.store);
  // The stored JSON says where it is stored.
  report.files = deps.store.locate(report.runId);
  await deps.store.save(report.runId, {
    json: `${JSON.stringify(report, null, 2)}\n`,
    html: renderFleetHtml(report),
  });
  // One message for the whole fleet: its drills do not notify one by one.
  if (deps.topicArn)
    await publishReport(deps.sns(), deps.topicArn, report, formatFleetReport(report, 'failover-drill fleet'));
  deps.log.info('fleet report', { verdict: report.verdict, headline: report.headline, files: report.files });
  return report;
}
