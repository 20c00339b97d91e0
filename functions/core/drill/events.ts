import { DescribeEventsCommand, type ElastiCacheClient, type Event } from '@aws-sdk/client-elasticache';
import { EVENT_TEXT } from './event-text.js';
import type { DrillPlan } from './plan.js';

/** DescribeEvents, every page (DescribeEvents returns at most 100 per page). */
export async function recentEvents(
  elastiCache: ElastiCacheClient,
  input: {
    SourceType?: 'replication-group' | 'cache-cluster';
    SourceIdentifier?: string;
    StartTime?: Date;
    Duration?: number;
  },
  maxPages = 50,
): Promise<Event[]> {
  const events: Event[] = [];
  let Marker: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await elastiCache.send(new DescribeEventsCommand({ ...input, MaxRecords: 100, Marker }));
    events.push(...(out.Events ?? []));
    Marker = out.Marker;
    if (!Marker) break;
  }
  return events;
}

/**
 * Node groups TestFailover was called for in the last 24 h, account-wide (AWS allows 15 per rolling
 * 24 h): the events ElastiCache records, counted the one way Preflight and the fleet's Plan both use.
 */
export async function testFailoversLast24h(elastiCache: ElastiCacheClient): Promise<number> {
  const events = await recentEvents(elastiCache, { SourceType: 'replication-group', Duration: 24 * 60 });
  return events.filter((e) => EVENT_TEXT.testFailoverCalled.test(e.Message ?? '')).length;
}

/** DescribeEvents' StartTime is to the second: look a little before the plan was accepted. */
const EVENT_SLACK_MS = 2000;

/**
 * When the control plane says TestFailover was called for the plan's node group since Preflight accepted
 * it (epoch ms), or undefined. The truth for `failoverTriggered` when the fault branch's own output was
 * lost with a failed Parallel (the writer failed, a stop condition fired).
 */
export async function failoverCalledAt(
  plan: Pick<DrillPlan, 'target' | 'acceptedAt'>,
  elastiCache: ElastiCacheClient,
): Promise<number | undefined> {
  const events = await recentEvents(elastiCache, {
    SourceType: 'replication-group',
    SourceIdentifier: plan.target.replicationGroupId,
    StartTime: new Date(plan.acceptedAt - EVENT_SLACK_MS),
  });
  const times = events
    .filter((e) => e.Message?.match(EVENT_TEXT.testFailoverCalled)?.[1] === plan.target.nodeGroupId)
    .map((e) => e.Date?.getTime() ?? 0)
    .filter((at) => at > 0);
  return times.length > 0 ? Math.min(...times) : undefined;
}
