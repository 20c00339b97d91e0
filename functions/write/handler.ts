import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { withDataPlane } from '../core/drill/data-plane.js';
import { drillPlanSchema } from '../core/drill/plan.js';
import { DrillStoppedError, stopKey, stopRequested, watchStop } from '../core/measure/stop.js';
import { runWriter } from '../core/measure/writer.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';
import { closeClient, waitUntilReady } from '../shared/redis-client.js';
import { runProfilesBeside } from './clients.js';
import { writerOptions } from './options.js';

const eventSchema = z.object({ plan: drillPlanSchema });

/** Time kept back from the Lambda's limit to drain in-flight writes and return the summary. */
const RETURN_MARGIN_MS = 15_000;

export const handler = middy<z.infer<typeof eventSchema>, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  .handler(async ({ plan }, context) => {
    const controller = new AbortController();
    const key = stopKey(plan.request.writer.keyPrefix, plan.runId);
    // The first connection proves the credentials (a rotated secret is read again) before anything is written.
    const { plane, watcher } = await withDataPlane(plan.target, async (plane) => {
      const watcher = plane.createClient();
      await waitUntilReady(watcher, 5000).catch(async (error: unknown) => {
        await closeClient(watcher);
        throw error;
      });
      return { plane, watcher };
    });
    // Not one write once Cleanup has run: it deleted the run's keys by name, and would never see these.
    if (await stopRequested(watcher, key)) {
      await closeClient(watcher);
      throw new DrillStoppedError(`run ${plan.runId} was stopped by Cleanup before the writer started`);
    }
    const unwatch = watchStop(watcher, key, controller);
    // Client profiles write beside the probe, in their own key spaces, until the probe stops.
    const profiles = runProfilesBeside(plan, plane.clientTarget);
    try {
      // Their worker started and its libraries imported before the probe's baseline begins.
      const ready = await profiles.ready();
      if (ready) logger.info('client profiles ready', { ...ready });
      const summary = await runWriter(
        {
          ...writerOptions(plan),
          deadline: () => context.getRemainingTimeInMillis() - RETURN_MARGIN_MS,
          signal: controller.signal,
        },
        {
          createClient: plane.createClient,
          createReplicaClient: plane.createReplicaClient,
          onEvent: (event) => {
            logger.info('writer', { ...event });
            if (event.type === 'started') profiles.start();
            if (event.type === 'stopping') profiles.stop();
          },
        },
      );
      const clients = await profiles.done();
      const shards = await profiles.shards();
      logger.info('writer done', {
        attempted: summary.attempted,
        acknowledged: summary.acknowledged,
        stopReason: summary.stopReason,
      });
      return {
        ...summary,
        ...(clients.length > 0 ? { clients } : {}),
        ...(shards.length > 0 ? { shards } : {}),
      };
    } finally {
      profiles.stop();
      // Closed before the Lambda returns (or is frozen).
      await Promise.all([profiles.done().catch(() => {}), profiles.shards().catch(() => {})]);
      unwatch();
      await closeClient(watcher);
    }
  });
