import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { renderFleetHtml } from '../core/report/fleet-html.js';
import {
  type FleetState,
  fleetReport,
  fleetStateSchema,
  formatFleetReport,
} from '../core/report/fleet-report.js';
import { publishReport } from '../core/report/notify.js';
import { s3Client, snsClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';
import { reportStoreFromEnv } from '../shared/report-store.js';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: fleetStateSchema }))
  .use(
    runIdOnLogs(
      (state: FleetState) => (state.plan as { runId?: string } | undefined)?.runId ?? state.execution,
    ),
  )
  .use(namedErrors())
  .handler(async (state) => {
    const store = reportStoreFromEnv(s3Client);
    const report = await fleetReport(state, store);
    report.files = store.locate(report.runId);
    await store.save(report.runId, {
      json: `${JSON.stringify(report, null, 2)}\n`,
      html: renderFleetHtml(report),
    });
    // One message for the whole fleet: its drills do not notify one by one.
    const topicArn = process.env.TOPIC_ARN;
    if (topicArn)
      await publishReport(snsClient(), topicArn, report, formatFleetReport(report, 'failover-drill fleet'));
    logger.info('fleet report', { verdict: report.verdict, headline: report.headline, files: report.files });
    return report;
  });
