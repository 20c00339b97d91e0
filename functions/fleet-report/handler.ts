/** The FleetReport step's Lambda: middy wiring around `fleetReportStep` (core/report/fleet-report-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { type FleetState, fleetStateSchema } from '../core/report/fleet-report.js';
import { fleetReportStep } from '../core/report/fleet-report-step.js';
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
  .handler((state) =>
    fleetReportStep(state, {
      store: reportStoreFromEnv(s3Client),
      sns: snsClient,
      topicArn: process.env.TOPIC_ARN,
      log: logger,
    }),
  );
