/**
 * The local cloud's second region: a secondary replication group in another region, its own regional
 * ElastiCache, and a Global Datastore joining it to the primary group through a WAN link. `local --global`
 * and `emulator --global` start it through startLocalCloud's `global` option.
 */
import { DrillInputError } from '../functions/shared/errors.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './account.js';
import type { MetricSource } from './cloudwatch/metric-data.js';
import type { GlobalDatastore, WanLinkOptions } from './elasticache/global-datastore.js';
import { GLOBAL_ID_PREFIXES } from './elasticache/global-datastore.js';
import { GlobalElastiCache } from './elasticache/global-service.js';
import type { FailoverTiming, RedisAccess } from './elasticache/group.js';
import { PrimaryReplicaGroup } from './elasticache/primary-replica-group.js';
import { ElastiCacheService } from './elasticache/service.js';

export interface GlobalOptions {
  /** The secondary's region (default eu-west-1); the primary's is the local cloud's, us-east-1. */
  secondaryRegion?: string;
  /** One-way latency of the WAN link (default 70 ms). */
  crossRegionLatencyMs?: number;
  /** A delay line on the cross-region replication stream (default 0): what a promotion loses. */
  crossRegionLagMs?: number;
  /** FailoverGlobalReplicationGroup called → the secondary promoted (default 500 ms). */
  promotionDelayMs?: number;
}

export const DEFAULT_SECONDARY_REGION = 'eu-west-1';
export const DEFAULT_CROSS_REGION_LATENCY_MS = 70;
export const DEFAULT_PROMOTION_DELAY_MS = 500;

/** Who is where: the Global Datastore, its two groups and their regions. */
export interface GlobalFacts {
  globalReplicationGroupId: string;
  primary: { region: string; replicationGroupId: string };
  secondary: { region: string; replicationGroupId: string };
}

export interface LocalGlobal extends GlobalFacts {
  service: GlobalElastiCache;
  datastore: GlobalDatastore;
  /** The secondary region's own ElastiCache (its group's Describe*, tags, events). */
  secondaryElastiCache: ElastiCacheService;
  secondaryGroup: PrimaryReplicaGroup;
  wan: WanLinkOptions;
}

export class GlobalOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudOptionsError';
  }
}

function bounded(name: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new GlobalOptionsError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
  return n;
}

/** Defaults applied; an unknown region or an out-of-range delay is refused by name. */
export function resolveGlobalOptions(o: GlobalOptions): Required<GlobalOptions> {
  const secondaryRegion = o.secondaryRegion ?? DEFAULT_SECONDARY_REGION;
  if (!(secondaryRegion in GLOBAL_ID_PREFIXES) || secondaryRegion === LOCAL_REGION) {
    throw new GlobalOptionsError(
      `secondaryRegion must be a region other than ${LOCAL_REGION} that Global Datastore serves, got ${secondaryRegion}`,
    );
  }
  return {
    secondaryRegion,
    crossRegionLatencyMs: bounded(
      'crossRegionLatencyMs',
      o.crossRegionLatencyMs,
      DEFAULT_CROSS_REGION_LATENCY_MS,
      5000,
    ),
    crossRegionLagMs: bounded('crossRegionLagMs', o.crossRegionLagMs, 0, 10_000),
    promotionDelayMs: bounded('promotionDelayMs', o.promotionDelayMs, DEFAULT_PROMOTION_DELAY_MS, 60_000),
  };
}

/**
 * Starts the secondary group (as the primary is started: same access, replicas and timing) and joins it
 * to `primary` in a Global Datastore `<prefix>-<primary id>`. The caller mounts `service.handler` as
 * ElastiCache and stops the result.
 */
export async function startGlobal(
  options: Required<GlobalOptions>,
  primary: { group: PrimaryReplicaGroup; handler: ElastiCacheService },
  secondary: RedisAccess & FailoverTiming & { replicas: number; tags: Record<string, string> },
): Promise<LocalGlobal & { stop(): Promise<void> }> {
  const { tags, ...groupOptions } = secondary;
  const secondaryGroup = await PrimaryReplicaGroup.start({
    ...groupOptions,
    id: `${primary.group.id}-secondary`,
    replicationLagMs: 0,
  });
  const wan: WanLinkOptions = {
    latencyMs: options.crossRegionLatencyMs,
    lagMs: options.crossRegionLagMs,
    promotionDelayMs: options.promotionDelayMs,
  };
  const secondaryElastiCache = new ElastiCacheService({
    region: options.secondaryRegion,
    accountId: LOCAL_ACCOUNT_ID,
  });
  secondaryElastiCache.addGroup(secondaryGroup, tags);
  const service = new GlobalElastiCache(
    [
      {
        name: LOCAL_REGION,
        handler: primary.handler.handler,
        groups: new Map([[primary.group.id, primary.group]]),
      },
      {
        name: options.secondaryRegion,
        handler: secondaryElastiCache.handler,
        groups: new Map([[secondaryGroup.id, secondaryGroup]]),
      },
    ],
    LOCAL_ACCOUNT_ID,
    wan,
  );
  try {
    const datastore = await service.join(
      primary.group.id,
      { region: LOCAL_REGION, groupId: primary.group.id },
      { region: options.secondaryRegion, groupId: secondaryGroup.id },
    );
    return {
      globalReplicationGroupId: datastore.id,
      primary: { region: LOCAL_REGION, replicationGroupId: primary.group.id },
      secondary: { region: options.secondaryRegion, replicationGroupId: secondaryGroup.id },
      service,
      datastore,
      secondaryElastiCache,
      secondaryGroup,
      wan,
      async stop() {
        await service.stop();
        await secondaryElastiCache.idle();
        await secondaryGroup.stop();
      },
    };
  } catch (error) {
    await service.stop().catch(() => {});
    await secondaryGroup.stop();
    throw error;
  }
}

/** The metric CloudWatch publishes for a Global Datastore's secondary (seconds, the maximum across shards). */
export const GLOBAL_LAG_METRIC = 'GlobalDatastoreReplicationLag';

/**
 * The local CloudWatch's source of GlobalDatastoreReplicationLag (AWS/ElastiCache, by CacheClusterId): each
 * datastore answers for the nodes of its secondary members, from its WAN link's delay.
 */
export function globalLagMetrics(service: GlobalElastiCache): MetricSource {
  return (q) => {
    const node = q.dimensions.CacheClusterId;
    if (q.namespace !== 'AWS/ElastiCache' || q.metricName !== GLOBAL_LAG_METRIC || !node) return undefined;
    for (const d of service.datastores.values()) {
      const seconds = d.replicationLagSeconds(node, q.fromMs, q.toMs);
      if (seconds) return seconds;
    }
    return undefined;
  };
}

/**
 * The fault of `local --global` when no input names one: fail the demo Global Datastore over to the
 * secondary group that startGlobal creates for `groupId` (and back, with failBack).
 */
export function localGlobalFault(groupId: string, failBack: boolean) {
  return {
    source: 'global-failover',
    globalReplicationGroupId: `${GLOBAL_ID_PREFIXES[LOCAL_REGION]}-${groupId}`,
    secondaryRegion: DEFAULT_SECONDARY_REGION,
    secondaryReplicationGroupId: `${groupId}-secondary`,
    failBack,
  };
}

/**
 * A global-failover fault checked against the Global Datastore `local --global` will start for `groupId`,
 * before anything starts: an unknown region, a secondary that is not a member, or the primary named as
 * the secondary is refused as DrillInputError, naming which. Other faults and inputs pass through.
 */
export function checkLocalGlobalFault(input: unknown, groupId: string): void {
  const fault = (input as { fault?: Record<string, unknown> } | undefined)?.fault;
  if (fault?.source !== 'global-failover') return;
  const { secondaryRegion: region, secondaryReplicationGroupId: id } = fault;
  const members = [
    { region: LOCAL_REGION, replicationGroupId: groupId },
    { region: DEFAULT_SECONDARY_REGION, replicationGroupId: `${groupId}-secondary` },
  ];
  const named = members.map((m) => `${m.replicationGroupId} in ${m.region}`).join(', ');
  if (typeof region === 'string' && !members.some((m) => m.region === region))
    throw new DrillInputError(
      `fault.secondaryRegion ${region} is not a region of the local Global Datastore (${named})`,
    );
  if (region === LOCAL_REGION && id === groupId)
    throw new DrillInputError(
      `fault.secondaryReplicationGroupId ${groupId} in ${LOCAL_REGION} is the primary: name the secondary to promote (${members[1]!.replicationGroupId})`,
    );
  if (!members.some((m) => m.region === region && m.replicationGroupId === id))
    throw new DrillInputError(
      `fault.secondaryReplicationGroupId ${String(id)} in ${String(region)} is not a member of the local Global Datastore (${named})`,
    );
}
