import { setTimeout as sleep } from 'node:timers/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { watchStopAlarms } from '../core/drill/stop-conditions.js';
import { cloudWatchClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// A Wait that watches: the baseline before TestFailover, the settle after recovery.
const eventSchema = z.object({ plan: drillPlanSchema, seconds: z.number().min(0).max(900) });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(async ({ plan, seconds }) => {
    const { guardrails, recovery } = plan.request;
    const watched = await watchStopAlarms(
      cloudWatchClient(),
      guardrails.stopAlarmNames,
      { forMs: seconds * 1000, intervalMs: recovery.pollIntervalSeconds * 1000 },
      { now: Date.now, sleep: (ms) => sleep(ms) },
    );
    logger.info('stop conditions held', { seconds, checks: watched.checks });
    return watched;
  });
