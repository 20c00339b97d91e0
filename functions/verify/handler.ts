/** The Verify step's Lambda: middy wiring around `verifyStep` (core/drill/verify-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { verifyStep } from '../core/drill/verify-step.js';
import type { WriterSummary } from '../core/measure/summary.js';
import { s3Client } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// The summary is the Write step's own output: checked for shape here, decoded and checked by verify().
const eventSchema = z.object({
  plan: drillPlanSchema,
  summary: z.looseObject({ version: z.literal(1), runId: z.string(), keyBase: z.string() }),
  recovery: z.unknown(),
});

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(({ plan, summary }) =>
    verifyStep(plan, summary as unknown as WriterSummary, {
      log: logger,
      figures: figureStoreFromEnv(s3Client),
    }),
  );
