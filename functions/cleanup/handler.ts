import { setTimeout as sleep } from 'node:timers/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dataPlaneClients } from '../core/drill/data-plane.js';
import { type DrillPlan, drillPlanSchema } from '../core/drill/plan.js';
import { profileRunId } from '../core/measure/clients/keys.js';
import { resolveClientProfiles } from '../core/measure/clients/profile.js';
import type { ProfileRun } from '../core/measure/clients/run.js';
import { deleteProfileKeys } from '../core/measure/clients/verify.js';
import { requestStop, STOP_POLL_MS, stopKey } from '../core/measure/stop.js';
import { cleanup } from '../core/measure/verify.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';
import { CLIENT_DEFAULTS, closeClient, type RedisClient, waitUntilReady } from '../shared/redis-client.js';

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
    const profiles = await cleanupProfiles(
      plan,
      results?.[0] as { clients?: ProfileRun[] } | undefined,
      createClient,
    );
    logger.info('cleaned up', { deleted, profiles });
    return { deleted: deleted + profiles };
  });

/**
 * The client profiles' keys: exactly the keys each wrote when the Write step returned its records;
 * otherwise a SCAN of each profile's own pattern (the writer's records were lost with its branch).
 */
async function cleanupProfiles(
  plan: DrillPlan,
  summary: { clients?: ProfileRun[] } | undefined,
  createClient: () => RedisClient,
): Promise<number> {
  const profiles = resolveClientProfiles(plan.request.clients);
  if (profiles.length === 0) return 0;
  if (summary?.clients) return (await deleteProfileKeys(summary.clients, { createClient })).deleted;
  let deleted = 0;
  for (const profile of profiles) {
    // Either key form (plain or hash-tagged) of the profile's own run id, and nothing else.
    const target = { prefix: plan.request.writer.keyPrefix, runId: profileRunId(plan.runId, profile.name) };
    deleted += (await cleanup(target, { createClient })).deleted;
  }
  return deleted;
}
