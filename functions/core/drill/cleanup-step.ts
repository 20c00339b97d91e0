/**
 * The drill's Cleanup step, on every path: halts a writer that may still run, then deletes exactly the
 * run's keys — the probe's, and each client profile's and shard writer's — by name. With the Write step's
 * records it deletes what they name; without them (the drill failed), every sequence number below the most
 * a writer of the plan can have used. The Cleanup handler is middy wiring around `cleanupStep`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import type { FigureStore } from '../../shared/figure-store.js';
import type { StepLog } from '../../shared/powertools.js';
import {
  CLIENT_DEFAULTS,
  closeClient,
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from '../../shared/redis-client.js';
import { changeMarkerKey } from '../measure/change-marker.js';
import {
  CLEANUP_TIMEOUT_MS,
  type CleanupTarget,
  cleanup,
  cleanupTargetOf,
  sequenceBound,
} from '../measure/cleanup.js';
import { resolveClientProfiles } from '../measure/clients/profile.js';
import { DEFAULT_PROFILE_RATE, profileKeySpace, shardWriterName } from '../measure/clients/profile-keys.js';
import { deleteProfileKeys } from '../measure/clients/profile-verify.js';
import type { ProfileRun } from '../measure/clients/run.js';
import { isStoredRecords, loadRecords, type StoredRecords } from '../measure/clients/stored.js';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import { HALT_POLL_MS, haltMarkerKey, requestHalt } from '../measure/halt-marker.js';
import type { SlotRange } from '../measure/keys.js';
import { writerKeyBase } from '../measure/keys.js';
import { measuringMarkerKey } from '../measure/measuring-marker.js';
import { retrying } from '../measure/retry.js';
import { withDataPlane } from './data-plane.js';
import { cleanupRegions, type RegionKeys } from './global-steps.js';
import { type DrillPlan, drillPlanSchema } from './plan.js';
import { withShardMap } from './shard-map.js';
import { writerOptions } from './writer-options.js';

// Runs on every path: the plan is missing when Preflight refused, the results when the drill failed.
export const cleanupEventSchema = z
  .object({
    execution: z.string(),
    plan: drillPlanSchema.optional(),
    results: z
      .tuple(
        [
          z.looseObject({
            keyBase: z.string(),
            attempted: z.number().int().min(0),
            rate: z.number().min(0),
            slot: z.number().int().nullable(),
          }),
          z.unknown(),
          // The fan-out's group references (issue 26), when the drill's shard writers fanned out.
        ],
        z.unknown(),
      )
      .optional(),
    verification: z.looseObject({ probed: z.looseObject({ toSeq: z.number().int() }) }).optional(),
  })
  .loose();

export type CleanupEvent = z.infer<typeof cleanupEventSchema>;

/** Clock skew between Preflight's Lambda and this one, allowed for in the bound without a summary. */
const SKEW_MS = 10_000;

export interface CleanupStepDeps {
  /** Where the step's log lines go (the handler's logger). */
  log: StepLog;
  /** The environment the data plane's credentials and CA are read from. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  /** Where the shard writers' records are (the Write step stored them); without it, the bound is used. */
  figures?: FigureStore;
}

export type CleanupStepResult =
  | { deleted: number; note: string }
  | { deleted: number; keysNamed: number; stopMarkerDeleted: boolean };

export async function cleanupStep(event: CleanupEvent, deps: CleanupStepDeps): Promise<CleanupStepResult> {
  const { results, verification } = event;
  if (!event.plan)
    return { deleted: 0, note: 'nothing to clean: the drill stopped before Preflight accepted it' };
  const plan = await wholePlan(event.plan, deps);
  // Deletes by exact name are idempotent: run again whole when a rotated password was refused.
  return withDataPlane(
    plan.target,
    ({ createClient, clientTarget: { username, password, tlsCa } }) =>
      cleanupRun(plan, results, verification, createClient, { username, password, tlsCa }, deps),
    deps.env,
  );
}

/**
 * The plan with its shard map (shard-map.ts), which names the shard writers' key spaces. Cleanup runs on
 * every path: a map that cannot be read leaves those keys to their TTL, said in the log.
 */
async function wholePlan(plan: DrillPlan, deps: CleanupStepDeps): Promise<DrillPlan> {
  try {
    return await withShardMap(plan, deps.figures);
  } catch (error) {
    deps.log.warn("shard map not read: the shard writers' keys are left to their TTL", {
      error: (error as Error).message,
    });
    return plan;
  }
}

async function cleanupRun(
  plan: DrillPlan,
  results: CleanupEvent['results'],
  verification: CleanupEvent['verification'],
  createClient: () => RedisClient,
  credentials: { username?: string; password?: string; tlsCa?: string },
  deps: CleanupStepDeps,
) {
  const now = deps.now ?? Date.now;
  const haltMarker = haltMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  const changeMarker = changeMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  let target: CleanupTarget;
  if (results) {
    // The writer returned: nothing of the run writes any more, so its halt marker (if anyone set one) can go.
    target = { ...cleanupTargetOf(results[0], verification?.probed.toSeq), haltMarker, changeMarker };
  } else {
    // The writer may still be running in an abandoned branch: halt it, and wait out its in-flight writes.
    // The marker stays (it expires by itself): a writer whose invocation is still on its way must find it.
    // The reaper may run while a failover is under way (a drill stopped mid-fault): the marker is retried
    // like the deletes (SET is idempotent), until a primary takes it.
    const client = createClient();
    try {
      await waitUntilReady(client, CLEANUP_TIMEOUT_MS);
      await retrying(CLEANUP_TIMEOUT_MS, 'setting the halt marker', client, () =>
        requestHalt(client, haltMarker),
      );
    } finally {
      await closeClient(client);
    }
    await (deps.sleep ?? sleep)(HALT_POLL_MS + CLIENT_DEFAULTS.commandTimeoutMs + 500);
    target = { ...probeTargetWithoutSummary(plan, now()), changeMarker };
  }
  target.measuringMarker = measuringMarkerKey(plan.request.writer.keyPrefix, plan.runId);
  // A region failover's probe writer stood aside: its keys are the region probe's, in both regions.
  const result = plan.global
    ? { deleted: 0, keysNamed: 0, stopMarkerDeleted: false }
    : await cleanup(target, { createClient });
  const profiles = await cleanupProfiles(
    plan,
    results?.[0] as WritersSummary | undefined,
    createClient,
    now,
    deps.figures,
  );
  const regions = await cleanupRegions(plan, regionKeysOf(results?.[1]), runMsOf(plan, now()), (endpoint) =>
    createRedisClient({ endpoint, ...credentials, connectionName: 'failover-drill' }),
  );
  deps.log.info('cleaned up', { ...result, seqsBelow: target.seqsBelow, profiles, regions });
  return {
    deleted: result.deleted + profiles + regions,
    keysNamed: result.keysNamed,
    stopMarkerDeleted: result.stopMarkerDeleted,
  };
}

/** The region probe's key spaces, when the RegionFailover step returned them (the fault branch's output). */
function regionKeysOf(branch: unknown): RegionKeys[] | undefined {
  const keys = (branch as { global?: { keys?: RegionKeys[] } } | undefined)?.global?.keys;
  return Array.isArray(keys) ? keys : undefined;
}

/** The probe's keys without its summary: every sequence number below the most its writer can have used. */
export function probeTargetWithoutSummary(plan: DrillPlan, now: number): CleanupTarget {
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
    runMs: runMsOf(plan, now),
  });
  return { keyBase, seqsBelow, slot: slot ?? null };
}

/** The writers beside the probe: the client profiles, and in cluster mode with several shards one per shard. */
function writersBeside(plan: DrillPlan): { name: string; pin: readonly SlotRange[] | undefined }[] {
  const writer = writerOptions(plan);
  return [
    ...resolveClientProfiles(plan.request.clients).map((p) => ({ name: p.name, pin: writer.pin })),
    ...(plan.target.clusterMode && (plan.target.shards?.length ?? 0) > 1
      ? (plan.target.shards ?? []).map((s) => ({ name: shardWriterName(s.nodeGroupId), pin: s.slots }))
      : []),
  ];
}

/** The profiles' and shard writers' keys without their records: every sequence number below the bound. */
export function profileTargetsWithoutSummary(plan: DrillPlan, now: number): CleanupTarget[] {
  const seqsBelow = sequenceBound({ rate: DEFAULT_PROFILE_RATE, concurrency: 0, runMs: runMsOf(plan, now) });
  return writersBeside(plan).map(({ name, pin }) => {
    const { keyBase, slot } = profileKeySpace(
      { prefix: plan.request.writer.keyPrefix, runId: plan.runId, cluster: plan.target.clusterMode, pin },
      name,
    );
    return { keyBase, seqsBelow, slot: slot ?? null };
  });
}

/**
 * The client profiles' keys: exactly the keys each wrote when the Write step returned its records;
 * otherwise every sequence number below the most a profile's writer can have attempted, by exact key.
 */
async function cleanupProfiles(
  plan: DrillPlan,
  summary: WritersSummary | undefined,
  createClient: () => RedisClient,
  now: () => number,
  figures: FigureStore | undefined,
): Promise<number> {
  if (writersBeside(plan).length === 0) return 0;
  // The shard writers' records are in the figure store: unreadable, their keys are deleted by the bound.
  const shards = figures
    ? await loadRecords(figures, summary?.shards).catch(() => null)
    : isStoredRecords(summary?.shards)
      ? null
      : summary?.shards;
  if (summary && shards !== null)
    return (await deleteProfileKeys([...(summary.clients ?? []), ...(shards ?? [])], { createClient }))
      .deleted;
  let deleted = 0;
  for (const target of profileTargetsWithoutSummary(plan, now())) {
    // A region failover's probe writer stood aside: its keys are the region probe's, in both regions.
    const result = plan.global
      ? { deleted: 0, keysNamed: 0, stopMarkerDeleted: false }
      : await cleanup(target, { createClient });
    deleted += result.deleted;
  }
  return deleted;
}

/** The Write step's records of the writers beside the probe, the shard writers' in the figure store. */
type WritersSummary = { clients?: ProfileRun[]; shards?: ProfileRun[] | StoredRecords };

/** The longest a writer of the plan can have run by now: since Preflight accepted it, at most its cap. */
export function runMsOf(plan: DrillPlan, now: number): number {
  return Math.min(
    now - plan.acceptedAt + SKEW_MS,
    writerOptions(plan).maxDurationMs ?? Number.POSITIVE_INFINITY,
  );
}
