import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import { GuardrailError } from '../../shared/errors.js';
import type { FigureStore } from '../../shared/figure-store.js';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import { durabilityOfGroup } from '../measure/durability.js';
import { type WatchedShards, watchedShards } from './blast-radius.js';
import { costOf } from './cost.js';
import { testFailoversLast24h as countTestFailovers } from './events.js';
import { type FaultJudgement, faultSource, sourceOf } from './faults/index.js';
import { type LockedMember, otherMembers } from './global-lock.js';
import { type ElastiCacheIn, globalDatastoreOf, readGlobalFacts } from './global-preflight.js';
import { type DrillTarget, enforce, judge, LOCK_TAG, lockValue, parseLock } from './guardrails.js';
import { checkMemoryHeadroom } from './memory-headroom.js';
import type { DrillPlan, DryRunPreview } from './plan.js';
import { releaseTag } from './release-lock.js';
import type { DrillRequest } from './request.js';
import { storeShardMap } from './shard-map.js';
import { alarmStates } from './stop-conditions.js';
import { type WriterGroups, writerGroups } from './writer-groups.js';

/** What the drill would do, from the facts the guardrails were judged on. Pure. */
export function preview(
  request: DrillRequest,
  target: DrillTarget,
  testFailoversLast24h: number,
  /** What the fault source's guardrail added (fis-az-power: the zone, its nodes, the duration). */
  fault: FaultJudgement = {},
  watched?: WatchedShards,
): DryRunPreview {
  const { writer, guardrails } = request;
  // The writer's own defaults, as the Write step would fill them in.
  const rate = writer.rate ?? WRITER_DEFAULTS.rate;
  const atLeast = writer.baselineSeconds + writer.settleSeconds;
  const atMost = Math.max(atLeast, writer.maxDurationSeconds);
  const limit = guardrails.maxTestFailoversPer24h;
  return {
    target: {
      replicationGroupId: target.replicationGroupId,
      nodeGroupId: target.nodeGroupId,
      primaryNodeId: target.primaryNodeId,
      replicaNodeIds: target.replicaNodeIds,
      clusterMode: target.clusterMode,
    },
    fault: faultSource(request.fault),
    failoverBudget: {
      used: testFailoversLast24h,
      limit,
      left: Math.max(0, limit - testFailoversLast24h),
    },
    expected: {
      writesPerSecond: rate,
      durationSeconds: { atLeast, atMost },
      writes: { atLeast: Math.round(rate * atLeast), atMost: Math.round(rate * atMost) },
      keyTtlSeconds: writer.ttlSeconds ?? WRITER_DEFAULTS.ttlSeconds,
    },
    stopAlarmNames: guardrails.stopAlarmNames,
    ...(watched ? { blastRadius: watched } : {}),
    cost: costOf(request, watched),
    ...fault.preview,
  };
}

/** Cluster mode: the shards the drill watches, from the request's blast radius (none otherwise). */
function watchedOf(
  request: DrillRequest,
  target: DrillTarget,
  perInvocation?: number,
): { watched?: WatchedShards; shardGroups?: WriterGroups } {
  if (!target.clusterMode || !target.shards) return {};
  const watched = watchedShards(target.shards, target.nodeGroupId, request.blastRadius);
  const groups = writerGroups(watched.watched, perInvocation);
  return { watched, ...(groups ? { shardGroups: groups } : {}) };
}

/**
 * Describes the group, judges every guardrail, and only then takes the drill lock (a tag on the
 * group). Throws GuardrailError — with nothing touched — when any guardrail refuses. A dry run stops
 * after the judgement, with the preview and without the lock.
 */
export async function preflight(
  request: DrillRequest,
  runId: string,
  clients: {
    elastiCache: ElastiCacheClient;
    cloudWatch: CloudWatchClient;
    elastiCacheIn?: ElastiCacheIn;
    /** Shard writers one invocation holds (default SHARD_WRITERS_PER_INVOCATION; tests set it low). */
    shardWritersPerInvocation?: number;
    /** Where the shard map goes (shard-map.ts); without it, the plan carries the shards itself. */
    figures?: FigureStore;
  },
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<DrillPlan> {
  const { elastiCache, cloudWatch } = clients;
  const described = await elastiCache.send(
    new DescribeReplicationGroupsCommand({ ReplicationGroupId: request.replicationGroupId }),
  );
  const group = described.ReplicationGroups?.[0];
  if (!group?.ARN)
    throw new GuardrailError(`${request.replicationGroupId} was not described`, 'group-not-available');
  const [tags, testFailoversLast24h, alarms] = await Promise.all([
    elastiCache
      .send(new ListTagsForResourceCommand({ ResourceName: group.ARN }))
      .then((o) => o.TagList ?? []),
    sourceOf(request.fault).guardrails.spendsTestFailoverBudget
      ? countTestFailovers(elastiCache)
      : Promise.resolve(0),
    alarmStates(cloudWatch, request.guardrails.stopAlarmNames),
  ]);
  const acceptedAt = now();
  const global = await globalFacts(request, runId, clients, acceptedAt);
  const judgement = judge(
    request,
    runId,
    { group, tags, testFailoversLast24h, ...alarms, ...(global ? { global } : {}) },
    acceptedAt,
  );
  const target = enforce(judgement);
  // Judged after the others, so that a refused group is not read further: a scale-in's memory headroom.
  await checkMemoryHeadroom(cloudWatch, group, judgement.fault?.removesNodeGroups ?? [], acceptedAt);
  // A durable group's promise is judged in the report: read it here, before anything is touched.
  const setting = durabilityOfGroup(group);
  const durability = setting ? { durability: setting } : {};
  const watched = watchedOf(request, target, clients.shardWritersPerInvocation);
  if (request.dryRun) {
    return {
      runId,
      request,
      target,
      acceptedAt,
      dryRun: preview(request, target, testFailoversLast24h, judgement.fault, watched.watched),
      ...watched,
      ...durability,
    };
  }

  // A region failover's lock is held on the Global Datastore: its secondary member is locked too.
  const members = [
    { client: elastiCache, arn: target.arn, replicationGroupId: target.replicationGroupId },
    ...otherMembers({ target, ...judgement.fault?.plan }, clients.elastiCacheIn),
  ];
  const lock = await takeLocks(members, runId, acceptedAt + request.guardrails.lockTtlSeconds * 1000, {
    now,
    sleep,
  });
  const plan = {
    runId,
    request,
    target,
    acceptedAt,
    lock,
    ...judgement.fault?.plan,
    ...watched,
    ...durability,
  };
  return clients.figures ? storeShardMapOrRelease(plan, clients.figures, members) : plan;
}

/** The plan with its shard map stored; a store that refuses gives back the locks just taken, and throws. */
async function storeShardMapOrRelease(
  plan: DrillPlan,
  figures: FigureStore,
  members: LockedMember[],
): Promise<DrillPlan> {
  try {
    return await storeShardMap(plan, figures);
  } catch (error) {
    await Promise.all(members.map((m) => releaseTag(m.client, m.arn, plan.runId).catch(() => undefined)));
    throw error;
  }
}

/** A region failover's cross-region facts (the datastore, its members' tags); undefined for other faults. */
async function globalFacts(
  request: DrillRequest,
  runId: string,
  clients: { elastiCache: ElastiCacheClient; elastiCacheIn?: ElastiCacheIn },
  now: number,
) {
  const wanted = globalDatastoreOf(request.fault);
  if (!wanted) return undefined;
  const region = await clients.elastiCache.config.region();
  const elastiCacheIn = clients.elastiCacheIn ?? (() => clients.elastiCache);
  return readGlobalFacts(wanted, region, elastiCacheIn, runId, now);
}

/**
 * How long a drill waits between writing its lock tag and reading it back. Tags have no compare-and-set,
 * so the lock is Fischer's timed mutual exclusion: read (no live lock), write, wait longer than any
 * contender's read-to-write gap, read back; the last writer wins and every other backs off. Each drill
 * keeps its own gap under half of this (else it backs off before writing).
 */
export const LOCK_SETTLE_MS = 1000;

/**
 * Takes the lock on every member at once (each by Fischer's protocol); when any refuses, the locks taken
 * are released and the first refusal is thrown: a drill holds all its members' locks or none.
 */
async function takeLocks(
  members: LockedMember[],
  runId: string,
  expiresAtMs: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<unknown> },
): Promise<string> {
  const taken = await Promise.allSettled(
    members.map((m) => takeLock(m.client, m, runId, expiresAtMs, clock)),
  );
  const refused = taken.find((t): t is PromiseRejectedResult => t.status === 'rejected');
  if (!refused) return lockValue(runId, expiresAtMs);
  await Promise.all(members.map((m) => releaseTag(m.client, m.arn, runId).catch(() => undefined)));
  throw refused.reason;
}

async function takeLock(
  elastiCache: ElastiCacheClient,
  target: Pick<DrillTarget, 'arn' | 'replicationGroupId'>,
  runId: string,
  expiresAtMs: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<unknown> },
): Promise<string> {
  const held = async () => {
    const out = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName: target.arn }));
    return parseLock(out.TagList?.find((t) => t.Key === LOCK_TAG)?.Value);
  };
  const refuse = (why: string) =>
    new GuardrailError(`drill refused, nothing was touched — drill-in-progress: ${why}`, 'drill-in-progress');
  const readAt = clock.now();
  const before = await held();
  if (before && before.runId !== runId && before.expiresAt > clock.now())
    throw refuse(`drill ${before.runId} holds ${target.replicationGroupId}`);
  if (clock.now() - readAt > LOCK_SETTLE_MS / 2)
    throw refuse(`the lock on ${target.replicationGroupId} could not be read fast enough to be taken safely`);
  const lock = lockValue(runId, expiresAtMs);
  await elastiCache.send(
    new AddTagsToResourceCommand({ ResourceName: target.arn, Tags: [{ Key: LOCK_TAG, Value: lock }] }),
  );
  await clock.sleep(LOCK_SETTLE_MS);
  const holder = await held();
  // Another drill wrote after us: it holds the lock (ours was overwritten), we back off.
  if (holder?.runId !== runId)
    throw refuse(`drill ${holder?.runId} took the lock on ${target.replicationGroupId} first`);
  return lock;
}
