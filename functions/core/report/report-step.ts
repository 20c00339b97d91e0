/**
 * The drill's Report step: the report from the execution's state, saved with its trend, its figures as
 * metrics, and one message unless a fleet notifies for its drills. The Report handler is middy wiring
 * around `reportStep`.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { FigureStore } from '../../shared/figure-store.js';
import type { StepLog } from '../../shared/powertools.js';
import type { ReportStore } from '../../shared/report-store.js';
import { failoverCalledAt } from '../drill/events.js';
import { drillPlanSchema } from '../drill/plan.js';
import { type DrillReport, type DrillState, drillReport, type ReportFacts } from './drill-report.js';
import { publishReport } from './notify.js';
import { formatReport } from './report-text.js';
import { saveDrillReport } from './save-report.js';
import { reportForState, type StateReport, withStoredFigures } from './stored-figures.js';

/** Where the drill's figures go as metrics (Powertools' Metrics in the Lambda). */
export interface MetricsSink {
  addDimensions(dimensions: Record<string, string>): void;
  addMetric(name: string, unit: 'Milliseconds' | 'Count', value: number): void;
}

export interface ReportStepDeps {
  store: ReportStore;
  /** Where the shard writers' records and verifications are (the state names them). */
  figures: FigureStore;
  sns: () => SNSClient;
  /** The topic the verdict is published to; none: no message. */
  topicArn: string | undefined;
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
  /** Asked whether TestFailover was called when the fault branch's output was lost. */
  elastiCache: () => ElastiCacheClient;
  metrics: MetricsSink;
}

/**
 * The report is assembled from the state and the figures it names; the state gets the report without its
 * per-shard views (they are in the stored JSON), so that its size does not grow with the shard count.
 */
export async function reportStep(state: DrillState, deps: ReportStepDeps): Promise<StateReport> {
  const full = await withStoredFigures(state, deps.figures, deps.log);
  const report = drillReport(full, await controlPlaneFacts(state, deps.elastiCache));
  await saveDrillReport(report, deps.store);
  // A dry run measured nothing: no figures for the dashboards.
  if (!report.dryRun) emitMetrics(report, deps.metrics);
  // A fleet's drills do not notify one by one: the fleet sends one message.
  const notify = (state.plan as { request?: { notify?: boolean } } | undefined)?.request?.notify ?? true;
  if (deps.topicArn && notify)
    await publishReport(deps.sns(), deps.topicArn, report, formatReport(report, 'failover-drill'));
  deps.log.info('report', { verdict: report.verdict, headline: report.headline, files: report.files });
  return reportForState(report);
}

/** The drill's figures as CloudWatch metrics (EMF), per replication group and node group. */
function emitMetrics(report: DrillReport, metrics: MetricsSink): void {
  metrics.addDimensions({
    ReplicationGroupId: report.drill.replicationGroupId ?? 'unknown',
    NodeGroupId: report.drill.nodeGroupId ?? 'unknown',
  });
  metrics.addMetric('DowntimeMs', 'Milliseconds', report.downtime.ms);
  metrics.addMetric('LostWrites', 'Count', report.writes.lost);
  metrics.addMetric('AcknowledgedWrites', 'Count', report.writes.acknowledged);
  metrics.addMetric('IndeterminateWrites', 'Count', report.writes.indeterminate);
  metrics.addMetric('DataLossWindowMs', 'Milliseconds', report.dataLossWindow.ms);
  if (report.failover.timeToPromoteMs !== null) {
    metrics.addMetric('TimeToPromoteMs', 'Milliseconds', report.failover.timeToPromoteMs);
  }
  metrics.addMetric(`Drill${report.verdict[0]!.toUpperCase()}${report.verdict.slice(1)}`, 'Count', 1);
}

/**
 * A failed Parallel loses the fault branch's output: whether TestFailover was called is then asked of
 * the control plane (its own event), so that the report never says false when the fault happened.
 */
async function controlPlaneFacts(
  state: DrillState,
  elastiCache: () => ElastiCacheClient,
): Promise<ReportFacts> {
  const plan = drillPlanSchema.safeParse(state.plan);
  if (!plan.success || state.results || plan.data.dryRun || plan.data.request.fault !== 'test-failover')
    return {};
  return { failoverCalledAt: await failoverCalledAt(plan.data, elastiCache()) };
}
