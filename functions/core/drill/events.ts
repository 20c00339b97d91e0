import { DescribeEventsCommand, type ElastiCacheClient, type Event } from '@aws-sdk/client-elasticache';

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
