import { setTimeout as sleep } from 'node:timers/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { awaitRecovery, recoverySchema } from '../core/drill/recovery.js';
import { checkStopConditions } from '../core/drill/stop-conditions.js';
import { cloudWatchClient, elastiCacheClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

const eventSchema = z.object({ plan: drillPlanSchema, recovery: recoverySchema });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(async ({ plan, recovery }) => {
    const elastiCache = elastiCacheClient();
    const cloudWatch = cloudWatchClient();
    const next = await awaitRecovery(
      plan,
      recovery,
      elastiCache,
      { now: Date.now, sleep: (ms) => sleep(ms) },
      () => checkStopConditions(cloudWatch, plan.request.guardrails.stopAlarmNames),
    );
    logger.info('recovery', { done: next.done, polls: next.polls, from: next.from, to: next.to });
    return next;
  });
