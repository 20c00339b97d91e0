import {
  type ElastiCacheClient,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-elasticache';
import { LOCK_TAG, parseLock } from './guardrails.js';
import type { DrillPlan } from './plan.js';

/** Removes the drill lock if, and only if, this run holds it (another run's lock is never touched). */
export async function releaseLock(
  plan: Pick<DrillPlan, 'runId' | 'target'> | undefined,
  elastiCache: ElastiCacheClient,
): Promise<{ released: boolean; reason: string }> {
  if (!plan)
    return { released: false, reason: 'no lock was taken (the drill stopped before Preflight accepted it)' };
  const ResourceName = plan.target.arn;
  const tags = await elastiCache.send(new ListTagsForResourceCommand({ ResourceName }));
  const holder = parseLock(tags.TagList?.find((t) => t.Key === LOCK_TAG)?.Value);
  if (holder?.runId !== plan.runId) {
    return {
      released: false,
      reason: holder ? `the lock belongs to ${holder.runId}` : 'no lock on the group',
    };
  }
  await elastiCache.send(new RemoveTagsFromResourceCommand({ ResourceName, TagKeys: [LOCK_TAG] }));
  return { released: true, reason: 'released' };
}
