/** The Cleanup step's Lambda: middy wiring around `cleanupStep` (core/drill/cleanup-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { type CleanupEvent, cleanupEventSchema, cleanupStep } from '../core/drill/cleanup-step.js';
import { s3Client } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: cleanupEventSchema }))
  .use(runIdOnLogs((event: CleanupEvent) => event.plan?.runId ?? event.execution))
  .use(namedErrors())
  .handler((event) => cleanupStep(event, { log: logger, figures: figureStoreFromEnv(s3Client) }));
