/**
 * The ElastiCache event log: what DescribeEvents returns. The failover texts are the ones AWS documents
 * for TestFailover, in one place, so that the orchestration and any reader agree on them.
 */

export const SOURCE_TYPES = [
  'cache-cluster',
  'cache-parameter-group',
  'cache-security-group',
  'cache-subnet-group',
  'replication-group',
  'serverless-cache',
  'serverless-cache-snapshot',
  'user',
  'user-group',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export function isSourceType(value: string): value is SourceType {
  return (SOURCE_TYPES as readonly string[]).includes(value);
}

export const failoverMessages = {
  called: (nodeGroupId: string) => `Test Failover API called for node group ${nodeGroupId}`,
  completed: (fromNode: string, toNode: string) =>
    `Failover from primary node ${fromNode} to replica node ${toNode} completed`,
  /** `cacheNodeId` is the node inside the cache cluster (always 0001 for Redis); the cluster is the source. */
  recovering: (cacheNodeId: string) => `Recovering cache nodes ${cacheNodeId}`,
  finished: (cacheNodeId: string) => `Finished recovery for cache nodes ${cacheNodeId}`,
};

export interface CacheEvent {
  /** Increasing with every event: orders events recorded in the same millisecond, and pages stably. */
  seq: number;
  sourceIdentifier: string;
  sourceType: SourceType;
  message: string;
  date: Date;
}

export interface EventFilter {
  start: Date;
  end: Date;
  sourceType?: SourceType;
  sourceIdentifier?: string;
}

/** Events older than this are dropped, as ElastiCache keeps 14 days. */
const RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

export class EventLog {
  private readonly events: CacheEvent[] = [];
  private seq = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  record(sourceType: SourceType, sourceIdentifier: string, message: string): CacheEvent {
    const event: CacheEvent = { seq: ++this.seq, sourceIdentifier, sourceType, message, date: this.clock() };
    this.events.push(event);
    const horizon = event.date.getTime() - RETENTION_MS;
    while (this.events.length > 0 && this.events[0]!.date.getTime() < horizon) this.events.shift();
    return event;
  }

  /** Matching events, newest first (as DescribeEvents returns them). */
  query(filter: EventFilter): CacheEvent[] {
    const start = filter.start.getTime();
    const end = filter.end.getTime();
    return this.events
      .filter(
        (e) =>
          e.date.getTime() >= start &&
          e.date.getTime() <= end &&
          (filter.sourceType === undefined || e.sourceType === filter.sourceType) &&
          (filter.sourceIdentifier === undefined || e.sourceIdentifier === filter.sourceIdentifier),
      )
      .sort((a, b) => b.seq - a.seq);
  }
}

/** The DescribeEvents time window from its parameters; no parameter means the last hour. */
export function eventWindow(
  now: Date,
  p: { startTime?: Date; endTime?: Date; durationMinutes?: number },
): { start: Date; end: Date } | { error: string } {
  const { startTime, endTime, durationMinutes } = p;
  if (startTime && endTime && durationMinutes !== undefined) {
    return { error: 'StartTime, EndTime and Duration cannot all be given; give at most two of them.' };
  }
  const minutes = (n: number) => n * 60_000;
  let start: Date;
  let end: Date;
  if (durationMinutes !== undefined && startTime) {
    start = startTime;
    end = new Date(startTime.getTime() + minutes(durationMinutes));
  } else if (durationMinutes !== undefined) {
    end = endTime ?? now;
    start = new Date(end.getTime() - minutes(durationMinutes));
  } else {
    end = endTime ?? now;
    start = startTime ?? new Date(end.getTime() - minutes(60));
  }
  if (start.getTime() > end.getTime()) {
    if (startTime && endTime) return { error: 'StartTime must be before EndTime.' };
    return { start, end: start }; // a start in the future: nothing yet
  }
  return { start, end };
}
