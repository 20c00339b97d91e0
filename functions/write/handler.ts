/** The Write step's Lambda: middy wiring around `writeStep` (core/drill/write-step.ts). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { drillPlanSchema } from '../core/drill/plan.js';
import { shardWritersStep } from '../core/drill/shard-writers-step.js';
import { writeStep } from '../core/drill/write-step.js';
import { s3Client } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

/**
 * `group`: a Map item of the fan-out (issue 26): this invocation runs that group's shard writers only.
 * The item is the group's index; its shards come from the stored shard map (core/drill/shard-map.ts).
 */
const eventSchema = z.object({
  plan: drillPlanSchema,
  group: z.object({ group: z.number().int().min(1), shards: z.array(z.string()).optional() }).optional(),
});

export const handler = middy<z.infer<typeof eventSchema>, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(({ plan, group }, context) => {
    const deps = {
      remainingMs: () => context.getRemainingTimeInMillis(),
      log: logger,
      figures: figureStoreFromEnv(s3Client),
    };
    return group ? shardWritersStep(plan, group, deps) : writeStep(plan, deps);
  });
