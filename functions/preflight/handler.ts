import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { preflight } from '../core/drill/preflight.js';
import { parseDrillRequest } from '../core/drill/request.js';
import { perInvocationFromEnv } from '../core/drill/writer-groups.js';
import { cloudWatchClient, elastiCacheClient, elastiCacheClientIn, s3Client } from '../shared/aws.js';
import { figureStoreFromEnv } from '../shared/figure-store.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// The request itself is validated by the core (DrillInputError), not here: its errors must name fields.
const eventSchema = z.object({ request: z.unknown(), execution: z.string() });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.execution))
  .use(namedErrors())
  .handler(async (event) => {
    const request = parseDrillRequest(event.request);
    return preflight(request, request.runId ?? event.execution, {
      elastiCache: elastiCacheClient(),
      cloudWatch: cloudWatchClient(),
      elastiCacheIn: elastiCacheClientIn,
      shardWritersPerInvocation: perInvocationFromEnv(),
      figures: figureStoreFromEnv(s3Client),
    });
  });
