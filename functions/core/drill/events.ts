import { DescribeEventsCommand, type ElastiCacheClient, type Event } from '@aws-sdk/client-elasticache';
import { EVENT_TEXT } from './event-text.js';

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
