/** The Report step's Lambda: middy wiring around `reportStep` (core/report/report-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { type DrillState, drillStateSchema } from '../core/report/drill-report.js';
import { reportStep } from '../core/report/report-step.js';
import { elastiCacheClient, s3Client, snsClient } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger, metrics } from '../shared/powertools.js';
import { reportStoreFromEnv } from '../shared/report-store.js';

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
  .handler((state) =>
    reportStep(state, {
      store: reportStoreFromEnv(s3Client),
      figures: figureStoreFromEnv(s3Client),
      elastiCache: elastiCacheClient,
      sns: snsClient,
      topicArn: process.env.TOPIC_ARN,
      metrics,
      log: logger,
    }),
  );
