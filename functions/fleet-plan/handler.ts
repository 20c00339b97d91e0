import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { parseFleetRequest, planFleet } from '../core/drill/fleet.js';
import { elastiCacheClient } from '../shared/aws.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// The request is validated by the core (DrillInputError / FleetInputError by name), not here.
const eventSchema = z.object({
  request: z.unknown(),
  execution: z.string(),
  executionId: z.string().optional(),
});

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.execution))
  .use(namedErrors())
  .handler(async (event) => {
    const request = parseFleetRequest(event.request);
    const plan = await planFleet(
      request,
      request.runId ?? event.execution,
      elastiCacheClient(),
      Date.now,
      event.executionId,
    );
    logger.info('fleet planned', {
      groups: plan.groups.length,
      targets: plan.groups.reduce((n, g) => n + g.targets.length, 0),
      refused: plan.refused.length,
      budget: plan.budget,
    });
    return plan;
  });
