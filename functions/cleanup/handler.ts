import { setTimeout as sleep } from 'node:timers/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dataPlaneClients } from '../core/drill/data-plane.js';
import { drillPlanSchema } from '../core/drill/plan.js';
import { requestStop, STOP_POLL_MS, stopKey } from '../core/measure/stop.js';
import { cleanup } from '../core/measure/verify.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';
import { CLIENT_DEFAULTS, closeClient, waitUntilReady } from '../shared/redis-client.js';

// Runs on every path: the plan is missing when Preflight refused, the results when the drill failed.
const eventSchema = z
  .object({
    execution: z.string(),
    plan: drillPlanSchema.optional(),
    results: z.tuple([z.looseObject({ keyBase: z.string() }), z.unknown()]).optional(),
  })
  .loose();

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan?.runId ?? event.execution))
  .use(namedErrors())
  .handler(async ({ plan, results }) => {
    if (!plan)
      return { deleted: 0, note: 'nothing to clean: the drill stopped before Preflight accepted it' };
    const createClient = dataPlaneClients(plan.target);
    const prefix = plan.request.writer.keyPrefix;
    if (!results) {
      // The writer may still be running in an abandoned branch: stop it, and wait out its in-flight writes.
      const client = createClient();
      try {
        await waitUntilReady(client, 5000);
        await requestStop(client, stopKey(prefix, plan.runId));
      } finally {
        await closeClient(client);
      }
      await sleep(STOP_POLL_MS + CLIENT_DEFAULTS.commandTimeoutMs + 500);
    }
    const target = results ? { keyBase: results[0].keyBase } : { prefix, runId: plan.runId };
    const { deleted } = await cleanup(target, { createClient });
    logger.info('cleaned up', { deleted });
    return { deleted };
  });
