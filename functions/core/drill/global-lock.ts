/**
 * The drill lock held on a Global Datastore, not only on one group: a region failover also writes its lock
 * tag on the secondary member, in the secondary's region, so that a drill against either member is refused.
 * Released with the primary's, on every path (ReleaseLock, the reaper). The other regions' ARNs are the
 * primary's with the region and the group id changed: the account and partition are the same.
 */
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { ElastiCacheIn } from './global-preflight.js';
import type { DrillPlan } from './plan.js';

/** A member's lock: the client signing for its region, its ARN and its id. */
export interface LockedMember {
  client: ElastiCacheClient;
  arn: string;
  replicationGroupId: string;
}

/** `arn` (a replication group's) for the group `replicationGroupId` in `region`. */
export function memberArn(arn: string, region: string, replicationGroupId: string): string {
  const [prefix, partition, service, , account] = arn.split(':');
  return [prefix, partition, service, region, account, 'replicationgroup', replicationGroupId].join(':');
}

/** The datastore's other members the plan's lock covers (the secondary); none for other faults. */
export function otherMembers(
  plan: Pick<DrillPlan, 'target' | 'global'>,
  elastiCacheIn: ElastiCacheIn | undefined,
): LockedMember[] {
  const secondary = plan.global?.secondary;
  if (!secondary || !elastiCacheIn) return [];
  return [
    {
      client: elastiCacheIn(secondary.region),
      arn: memberArn(plan.target.arn, secondary.region, secondary.replicationGroupId),
      replicationGroupId: secondary.replicationGroupId,
    },
  ];
}
