import { setTimeout as sleep } from 'node:timers/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { withDataPlane } from '../core/drill/data-plane.js';
import { type DrillPlan, drillPlanSchema } from '../core/drill/plan.js';
import {
  CLEANUP_TIMEOUT_MS,
  type CleanupTarget,
  cleanup,
  cleanupTargetOf,
  sequenceBound,
} from '../core/measure/cleanup.js';
import { DEFAULT_PROFILE_RATE, profileKeyBase, shardWriterName } from '../core/measure/clients/keys.js';
import { resolveClientProfiles } from '../core/measure/clients/profile.js';
import type { ProfileRun } from '../core/measure/clients/run.js';
import { deleteProfileKeys } from '../core/measure/clients/verify.js';
import { WRITER_DEFAULTS } from '../core/measure/defaults.js';
import { keySlot, writerKeyBase } from '../core/measure/keys.js';
import { retrying } from '../core/measure/retry.js';
import { requestStop, STOP_POLL_MS, stopKey } from '../core/measure/stop.js';
import { namedErrors, runIdOnLogs } from '../shared/middlewares.js';
import { logger } from '../shared/powertools.js';
import { CLIENT_DEFAULTS, closeClient, type RedisClient, waitUntilReady } from '../shared/redis-client.js';
import { writerOptions } from '../write/options.js';

// Runs on every path: the plan is missing when Preflight refused, the results when the drill failed.
const eventSchema = z
  .object({
    execution: z.string(),
    plan: drillPlanSchema.optional(),
    results: z
      .tuple([
        z.looseObject({
          keyBase: z.string(),
          attempted: z.number().int().min(0),
          rate: z.number().min(0),
          slot: z.number().int().nullable(),
        }),
        z.unknown(),
      ])
      .optional(),
    verification: z.looseObject({ probed: z.looseObject({ toSeq: z.number().int() }) }).optional(),
  })
  .loose();

/** Clock skew between Preflight's Lambda and this one, allowed for in the bound without a summary. */
const SKEW_MS = 10_000;

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(parser({ schema: eventSchema }))
  .use(runIdOnLogs((event: z.infer<typeof eventSchema>) => event.plan?.runId ?? event.execution))
  .use(namedErrors())
  .handler(async ({ plan, results, verification }) => {
    if (!plan)
      return { deleted: 0, note: 'nothing to clean: the drill stopped before Preflight accepted it' };
    // Deletes by exact name are idempotent: run again whole when a rotated password was refused.
    return withDataPlane(plan.target, ({ createClient }) =>
      cleanupRun(plan, results, verification, createClient),
    );
  });

async function cleanupRun(
  plan: DrillPlan,
  results: z.infer<typeof eventSchema>['results'],
  verification: z.infer<typeof eventSchema>['verification'],
  createClient: () => RedisClient,
) {
  const stopMarker = stopKey(plan.request.writer.keyPrefix, plan.runId);
  let target: CleanupTarget;
  if (results) {
    // The writer returned: nothing of the run writes any more, so its stop marker (if anyone set one) can go.
    target = { ...cleanupTargetOf(results[0], verification?.probed.toSeq), stopMarker };
  } else {
    // The writer may still be running in an abandoned branch: stop it, and wait out its in-flight writes.
    // The marker stays (it expires by itself): a writer whose invocation is still on its way must find it.
    // The reaper may run while a failover is under way (a drill stopped mid-fault): the marker is retried
    // like the deletes (SET is idempotent), until a primary takes it.
    const client = createClient();
    try {
      await waitUntilReady(client, CLEANUP_TIMEOUT_MS);
      await retrying(CLEANUP_TIMEOUT_MS, 'setting the stop marker', client, () =>
        requestStop(client, stopMarker),
      );
    } finally {
      await closeClient(client);
    }
    await sleep(STOP_POLL_MS + CLIENT_DEFAULTS.commandTimeoutMs + 500);
    const writer = writerOptions(plan);
    const { keyBase, slot } = writerKeyBase({
      prefix: plan.request.writer.keyPrefix,
      runId: plan.runId,
      cluster: plan.target.clusterMode,
      pin: writer.pin,
    });
    const seqsBelow = sequenceBound({
      rate: writer.rate ?? WRITER_DEFAULTS.rate,
      concurrency: writer.concurrency ?? WRITER_DEFAULTS.concurrency,
      runMs: runMsOf(plan),
    });
    target = { keyBase, seqsBelow, slot: slot ?? null };
  }
  const result = await cleanup(target, { createClient });
  const profiles = await cleanupProfiles(
    plan,
    results?.[0] as { clients?: ProfileRun[]; shards?: ProfileRun[] } | undefined,
    createClient,
  );
  logger.info('cleaned up', { ...result, seqsBelow: target.seqsBelow, profiles });
  return {
    deleted: result.deleted + profiles,
    keysNamed: result.keysNamed,
    stopMarkerDeleted: result.stopMarkerDeleted,
  };
}

/**
 * The client profiles' keys: exactly the keys each wrote when the Write step returned its records;
 * otherwise every sequence number below the most a profile's writer can have attempted, by exact key.
 */
async function cleanupProfiles(
  plan: DrillPlan,
  summary: { clients?: ProfileRun[]; shards?: ProfileRun[] } | undefined,
  createClient: () => RedisClient,
): Promise<number> {
  const writer = writerOptions(plan);
  const writers = [
    ...resolveClientProfiles(plan.request.clients).map((p) => ({ name: p.name, pin: writer.pin })),
    ...(plan.target.clusterMode && (plan.target.shards?.length ?? 0) > 1
      ? (plan.target.shards ?? []).map((s) => ({ name: shardWriterName(s.nodeGroupId), pin: s.slots }))
      : []),
  ];
  if (writers.length === 0) return 0;
  if (summary)
    return (
      await deleteProfileKeys([...(summary.clients ?? []), ...(summary.shards ?? [])], { createClient })
    ).deleted;
  const seqsBelow = sequenceBound({ rate: DEFAULT_PROFILE_RATE, concurrency: 0, runMs: runMsOf(plan) });
  let deleted = 0;
  for (const { name, pin } of writers) {
    const settings = {
      prefix: plan.request.writer.keyPrefix,
      runId: plan.runId,
      cluster: plan.target.clusterMode,
      pin,
    };
    const keyBase = profileKeyBase(settings, name);
    const slot = settings.cluster ? keySlot(`${keyBase}:0`) : null;
    const result = await cleanup({ keyBase, seqsBelow, slot }, { createClient });
    deleted += result.deleted;
  }
  return deleted;
}

/** The longest a writer of the plan can have run by now: since Preflight accepted it, at most its cap. */
function runMsOf(plan: DrillPlan): number {
  return Math.min(
    Date.now() - plan.acceptedAt + SKEW_MS,
    writerOptions(plan).maxDurationMs ?? Number.POSITIVE_INFINITY,
  );
}
