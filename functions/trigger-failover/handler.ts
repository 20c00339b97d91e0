import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { checkStopConditions } from '../core/drill/stop-conditions.js';
import { triggerFailover } from '../core/drill/trigger.js';
import { cloudWatchClient, elastiCacheClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

const eventSchema = z.object({ plan: drillPlanSchema });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(async ({ plan }) => {
    const elastiCache = elastiCacheClient();
    const cloudWatch = cloudWatchClient();
    const recovery = await triggerFailover(plan, elastiCache, {
      // The last look at the stop conditions: an alarm in ALARM now means no fault at all.
      beforeFault: () => checkStopConditions(cloudWatch, plan.request.guardrails.stopAlarmNames),
    });
    logger.info('TestFailover requested', {
      nodeGroupId: plan.target.nodeGroupId,
      requestedAt: recovery.requestedAt,
    });
    return recovery;
  });
