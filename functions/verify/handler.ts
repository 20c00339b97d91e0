import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { withDataPlane } from '../core/drill/data-plane.js';
import { drillPlanSchema } from '../core/drill/plan.js';
import { type ProfileVerification, verifyClientProfiles } from '../core/measure/clients/profile-verify.js';
import type { ProfileRun } from '../core/measure/clients/run.js';
import type { WriterSummary } from '../core/measure/summary.js';
import { verify } from '../core/measure/verify.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';

// The summary is the Write step's own output: checked for shape here, decoded and checked by verify().
const eventSchema = z.object({
  plan: drillPlanSchema,
  summary: z.looseObject({ version: z.literal(1), runId: z.string(), keyBase: z.string() }),
  recovery: z.unknown(),
});

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan.runId))
  .use(namedErrors())
  // Reads only: run again whole when a rotated password was refused at the first connection.
  .handler(({ plan, summary }) =>
    withDataPlane(plan.target, async ({ createClient }) => {
      const verification = await verify(summary as unknown as WriterSummary, { createClient });
      logger.info('verified', { lost: verification.lost, recovered: verification.recovered });
      const { clients: runs = [], shards: shardRuns = [] } = summary as {
        clients?: ProfileRun[];
        shards?: ProfileRun[];
      };
      if (runs.length === 0 && shardRuns.length === 0) return verification;
      // A profile or shard writer that cannot be read back is reported unverified; the probe's verification
      // stands.
      const verifyAll = async (list: ProfileRun[], what: string): Promise<ProfileVerification[]> => {
        try {
          return await verifyClientProfiles(list, { createClient });
        } catch (error) {
          logger.warn(`${what} not verified`, { error: (error as Error).message });
          return [];
        }
      };
      return {
        ...verification,
        ...(runs.length > 0 ? { clients: await verifyAll(runs, 'client profiles') } : {}),
        ...(shardRuns.length > 0 ? { shards: await verifyAll(shardRuns, 'shard writers') } : {}),
      };
    }),
  );
