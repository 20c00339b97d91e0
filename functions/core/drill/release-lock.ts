import {
  type ElastiCacheClient,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { otherMembers } from './global-lock.js';
import type { ElastiCacheIn } from './global-preflight.js';
import { LOCK_TAG, parseLock } from './guardrails.js';
import type { DrillPlan } from './plan.js';

/**
 * Removes the drill lock if, and only if, this run holds it (another run's lock is never touched). A region
 * failover's lock is on its secondary member too (global-lock.ts): released there in its own region.
 */
export async function releaseLock(
  plan: Pick<DrillPlan, 'runId' | 'target' | 'global'> | undefined,
  elastiCache: ElastiCacheClient,
  elastiCacheIn?: ElastiCacheIn,
): Promise<{ released: boolean; reason: string }> {
  if (!plan)
    return { released: false, reason: 'no lock was taken (the drill stopped before Preflight accepted it)' };
  const members = otherMembers(plan, elastiCacheIn);
  const results = await Promise.all([
    releaseTag(elastiCache, plan.target.arn, plan.runId),
    ...members.map((m) => releaseTag(m.client, m.arn, plan.runId)),
  ]);
  const [own] = results as [{ released: boolean; reason: string }];
  if (members.length === 0) return own;
  const released = results.some((r) => r.released);
  const reason = results
    .map(
      (r, i) =>
        `${i === 0 ? plan.target.replicationGroupId : members[i - 1]!.replicationGroupId}: ${r.reason}`,
    )
    .join('; ');
  return { released, reason };
}

/** Removes the lock tag from `arn` if `runId` holds it there. */
export async function releaseTag(
  elastiCache: ElastiCacheClient,
  ResourceName: string,
  runId: string,
): Promise<{ released: boolean; reason: string }> {
  const tags = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName }));
  const holder = parseLock(tags.TagList?.find((t) => t.Key === LOCK_TAG)?.Value);
  if (holder?.runId !== runId) {
    return {
      released: false,
      reason: holder ? `the lock belongs to ${holder.runId}` : 'no lock on the group',
    };
  }
  await elastiCache.send(new RemoveTagsFromResourceCommand({ ResourceName, TagKeys: [LOCK_TAG] }));
  return { released: true, reason: 'released' };
}
