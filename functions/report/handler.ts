import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { failoverCalledAt } from '../core/drill/events.js';
import { drillPlanSchema } from '../core/drill/plan.js';
import {
  type DrillReport,
  type DrillState,
  drillReport,
  drillStateSchema,
  type ReportFacts,
} from '../core/report/drill-report.js';
import { publishReport } from '../core/report/notify.js';
import { formatReport } from '../core/report/report-text.js';
import { storeDrillReport } from '../core/report/store-report.js';
import { elastiCacheClient, s3Client, snsClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger, metrics } from '../shared/powertools.js';
import { reportStoreFromEnv } from '../shared/report-store.js';

/** The drill's figures as CloudWatch metrics (EMF), per replication group and node group. */
function emitMetrics(report: DrillReport): void {
  metrics.addDimensions({
    ReplicationGroupId: report.drill.replicationGroupId ?? 'unknown',
    NodeGroupId: report.drill.nodeGroupId ?? 'unknown',
  });
  metrics.addMetric('DowntimeMs', MetricUnit.Milliseconds, report.downtime.ms);
  metrics.addMetric('LostWrites', MetricUnit.Count, report.writes.lost);
  metrics.addMetric('AcknowledgedWrites', MetricUnit.Count, report.writes.acknowledged);
  metrics.addMetric('IndeterminateWrites', MetricUnit.Count, report.writes.indeterminate);
  metrics.addMetric('DataLossWindowMs', MetricUnit.Milliseconds, report.dataLossWindow.ms);
  if (report.failover.timeToPromoteMs !== null) {
    metrics.addMetric('TimeToPromoteMs', MetricUnit.Milliseconds, report.failover.timeToPromoteMs);
  }
  metrics.addMetric(
    `Drill${report.verdict[0]!.toUpperCase()}${report.verdict.slice(1)}`,
    MetricUnit.Count,
    1,
  );
}

/**
 * A failed Parallel loses the fault branch's output: whether TestFailover was called is then asked of
 * the control plane (its own event), so that the report never says false when the fault happened.
 */
async function controlPlaneFacts(state: DrillState): Promise<ReportFacts> {
  const plan = drillPlanSchema.safeParse(state.plan);
  if (!plan.success || state.results || plan.data.dryRun || plan.data.request.fault !== 'test-failover')
    return {};
  return { failoverCalledAt: await failoverCalledAt(plan.data, elastiCacheClient()) };
}

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(parser({ schema: drillStateSchema }))
  .use(
    runIdOnLogs(
      (state: DrillState) => (state.plan as { runId?: string } | undefined)?.runId ?? state.execution,
    ),
  )
  .use(namedErrors())
  .handler(async (state) => {
    const report = drillReport(state, await controlPlaneFacts(state));
    await storeDrillReport(report, reportStoreFromEnv(s3Client));
    // A dry run measured nothing: no figures for the dashboards.
    if (!report.dryRun) emitMetrics(report);
    const topicArn = process.env.TOPIC_ARN;
    // A fleet's drills do not notify one by one: the fleet sends one message.
    const notify = (state.plan as { request?: { notify?: boolean } } | undefined)?.request?.notify ?? true;
    if (topicArn && notify)
      await publishReport(snsClient(), topicArn, report, formatReport(report, 'failover-drill'));
    logger.info('report', { verdict: report.verdict, headline: report.headline, files: report.files });
    return report;
  });
