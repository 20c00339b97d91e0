/** The Write step's Lambda: middy wiring around `writeStep` (core/drill/write-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { writeStep } from '../core/drill/write-step.js';
import { s3Client } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

const eventSchema = z.object({ plan: drillPlanSchema });

export const handler = middy<z.infer<typeof eventSchema>, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(({ plan }, context) =>
    writeStep(plan, {
      remainingMs: () => context.getRemainingTimeInMillis(),
      log: logger,
      figures: figureStoreFromEnv(s3Client),
    }),
  );
