import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { releaseLock } from '../core/drill/release-lock.js';
import { elastiCacheClient, elastiCacheClientIn } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// Runs on every path, so the plan may be missing (Preflight refused or failed).
const eventSchema = z.object({ plan: drillPlanSchema.optional(), execution: z.string() }).loose();

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan?.runId ?? event.execution))
  .use(namedErrors())
  .handler(async ({ plan }) => {
    const result = await releaseLock(plan, elastiCacheClient(), elastiCacheClientIn);
    logger.info('lock', result);
    return result;
  });
