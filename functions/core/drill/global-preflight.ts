/**
 * What Preflight reads across regions for a region failover: the Global Datastore with its members
 * (DescribeGlobalReplicationGroups, ShowMemberInfo), the secondary group as its own region describes it,
 * and every member's tags in its own region (the opt-in tag, another drill's lock). Reads only.
 */
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-elasticache';
import type { GlobalFacts } from './faults/global-failover.js';
import { LOCK_TAG, parseLock } from './guardrails.js';

/** An ElastiCache client signing for a region (the SDK's region; the endpoint is the same locally). */
export type ElastiCacheIn = (region: string) => ElastiCacheClient;

/** The datastore's id when the request's fault names one (a region failover); else undefined. */
export function globalDatastoreOf(
  fault: unknown,
): { id: string; secondaryRegion: string; secondaryGroupId: string } | undefined {
  if (typeof fault !== 'object' || fault === null || !('globalReplicationGroupId' in fault)) return undefined;
  const f = fault as {
    globalReplicationGroupId: string;
    secondaryRegion: string;
    secondaryReplicationGroupId: string;
  };
  return {
    id: f.globalReplicationGroupId,
    secondaryRegion: f.secondaryRegion,
    secondaryGroupId: f.secondaryReplicationGroupId,
  };
}

export async function readGlobalFacts(
  wanted: { id: string; secondaryRegion: string; secondaryGroupId: string },
  primaryRegion: string,
  elastiCacheIn: ElastiCacheIn,
  runId: string,
  now: number,
): Promise<GlobalFacts> {
  const home = elastiCacheIn(primaryRegion);
  const described = await home
    .send(
      new DescribeGlobalReplicationGroupsCommand({
        GlobalReplicationGroupId: wanted.id,
        ShowMemberInfo: true,
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name === 'GlobalReplicationGroupNotFoundFault') return { GlobalReplicationGroups: [] };
      throw error;
    });
  const datastore = described.GlobalReplicationGroups?.[0];
  const tags: GlobalFacts['tags'] = {};
  let lockedBy: string | undefined;
  let secondaryGroup: GlobalFacts['secondaryGroup'];
  for (const m of datastore?.Members ?? []) {
    if (!m.ReplicationGroupRegion || !m.ReplicationGroupId) continue;
    const client = elastiCacheIn(m.ReplicationGroupRegion);
    const group = (
      await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: m.ReplicationGroupId }))
    ).ReplicationGroups?.[0];
    if (
      m.ReplicationGroupRegion === wanted.secondaryRegion &&
      m.ReplicationGroupId === wanted.secondaryGroupId
    )
      secondaryGroup = group;
    if (!group?.ARN) continue;
    const list =
      (await client.send(new ListTagsForResourceCommand({ ResourceName: group.ARN }))).TagList ?? [];
    tags[`${m.ReplicationGroupRegion}/${m.ReplicationGroupId}`] = Object.fromEntries(
      list.map((t) => [t.Key ?? '', t.Value ?? '']),
    );
    // The lock is held on the datastore: a live lock of another run on any member refuses the drill.
    const lock = parseLock(list.find((t) => t.Key === LOCK_TAG)?.Value);
    if (lock && lock.runId !== runId && lock.expiresAt > now) lockedBy ??= lock.runId;
  }
  return { primaryRegion, datastore, tags, secondaryGroup, lockedBy };
}
