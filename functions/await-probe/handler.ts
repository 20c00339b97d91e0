/** The AwaitProbe step's Lambda: middy wiring around `probeMeasuringStep` (core/drill/probe-measuring.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { probeMeasuringStep } from '../core/drill/probe-measuring.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

const eventSchema = z.object({ plan: drillPlanSchema });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(({ plan }) => probeMeasuringStep(plan, { log: logger }));
