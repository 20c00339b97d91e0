import {
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  type Event,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RecoveryTimeoutError } from '../../shared/errors.js';
import type { DrillPlan } from './plan.js';
import { awaitRecovery, readRecovery, recoverySchema } from './recovery.js';
import { parseDrillRequest } from './request.js';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const context = {
  requestedAt: T0,
  replicationGroupId: 'grp',
  nodeGroupId: '0001',
  nodeIds: ['grp-001', 'grp-002', 'grp-003'],
};

// Newest first, as DescribeEvents returns them; the wording is ElastiCache's.
const failoverEvents: Event[] = [
  { SourceIdentifier: 'grp-001', Message: 'Finished recovery for cache nodes 0001', Date: at(90_000) },
  { SourceIdentifier: 'grp-001', Message: 'Recovering cache nodes 0001', Date: at(60_000) },
  {
    SourceIdentifier: 'grp',
    Message: 'Failover from primary node grp-001 to replica node grp-002 completed',
    Date: at(31_000),
  },
  {
    SourceIdentifier: 'grp-002',
    Message: 'Failover from primary node grp-001 to replica node grp-002 completed',
    Date: at(30_000),
  },
  { SourceIdentifier: 'grp', Message: 'Test Failover API called for node group 0001', Date: at(0) },
];

describe('readRecovery', () => {
  it('reads the failover and the recovery from the documented events', () => {
    // Act
    const progress = readRecovery(failoverEvents, context);

    // Assess
    expect(progress).toMatchObject({
      from: 'grp-001',
      to: 'grp-002',
      failoverCompletedAt: T0 + 30_000,
      recoveringAt: T0 + 60_000,
      finishedRecoveryAt: T0 + 90_000,
      completeInEvents: true,
    });
    expect(progress.events.map((e) => e.at)).toEqual(
      [...progress.events.map((e) => e.at)].sort((a, b) => a - b),
    );
  });

  it('understands the older "master" wording', () => {
    // Prepare
    const events = [
      {
        ...failoverEvents[3]!,
        Message: 'Failover from master node grp-001 to replica node grp-002 completed',
      },
    ];

    // Act
    const progress = readRecovery(events, context);

    // Assess
    expect(progress).toMatchObject({ from: 'grp-001', to: 'grp-002', completeInEvents: false });
  });

  it('ignores events of an earlier failover, of other groups and of other node groups', () => {
    // Prepare
    const events: Event[] = [
      {
        SourceIdentifier: 'grp-001',
        Message: 'Finished recovery for cache nodes 0001',
        Date: at(-3_600_000),
      },
      {
        SourceIdentifier: 'other-001',
        Message: 'Failover from primary node other-001 to replica node other-002 completed',
        Date: at(5000),
      },
      { SourceIdentifier: 'grp', Message: 'Test Failover API called for node group 0002', Date: at(1000) },
    ];

    // Act
    const progress = readRecovery(events, context);

    // Assess
    expect(progress.events).toEqual([]);
    expect(progress.completeInEvents).toBe(false);
  });
});

describe('awaitRecovery', () => {
  const elastiCache = mockClient(ElastiCacheClient);
  // Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
  afterAll(() => elastiCache.restore());
  afterEach(() => elastiCache.reset());
  const plan = (overrides: object = {}): DrillPlan => ({
    runId: 'r',
    request: parseDrillRequest({
      replicationGroupId: 'grp',
      recovery: { pollIntervalSeconds: 1, maxWaitSeconds: 10, pollWindowSeconds: 3 },
      ...overrides,
    }),
    target: {
      replicationGroupId: 'grp',
      arn: 'arn',
      nodeGroupId: '0001',
      clusterMode: false,
      endpoint: { host: 'h', port: 6379 },
      tls: false,
      primaryNodeId: 'grp-001',
      replicaNodeIds: ['grp-002', 'grp-003'],
      slots: [],
    },
    acceptedAt: T0,
    lock: 'r@1',
  });
  const fakeClock = (start: number) => {
    let now = start;
    return {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
  };

  it('is done once the events say so and the group shows the new primary', async () => {
    // Prepare
    elastiCache.on(DescribeEventsCommand).resolves({ Events: failoverEvents });
    elastiCache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          Status: 'available',
          NodeGroups: [
            {
              NodeGroupId: '0001',
              NodeGroupMembers: [{ CacheClusterId: 'grp-002', CurrentRole: 'primary' }],
            },
          ],
        },
      ],
    });

    // Act
    const recovery = await awaitRecovery(
      plan(),
      { requestedAt: T0, polls: 0, done: false, events: [] },
      elastiCache as unknown as ElastiCacheClient,
      fakeClock(T0 + 1000),
    );

    // Assess
    expect(recovery).toMatchObject({ done: true, polls: 1, from: 'grp-001', to: 'grp-002' });
  });

  it('hands back after one poll window, then times out past maxWaitSeconds with RecoveryTimeoutError', async () => {
    // Prepare
    elastiCache.on(DescribeEventsCommand).resolves({ Events: failoverEvents.slice(4) });
    const clock = fakeClock(T0 + 1000);
    const start = { requestedAt: T0, polls: 0, done: false, events: [] };

    // Act
    const first = await awaitRecovery(plan(), start, elastiCache as unknown as ElastiCacheClient, clock);
    const later = await awaitRecovery(
      plan(),
      first,
      elastiCache as unknown as ElastiCacheClient,
      fakeClock(T0 + 10_000),
    ).catch((e: unknown) => e);

    // Assess
    expect(first).toMatchObject({ done: false, polls: 4 }); // at 1, 2, 3 and 4 s of a window from 1 to 4 s
    expect(later).toBeInstanceOf(RecoveryTimeoutError);
    expect((later as Error).message).toMatch(/within 10 s/);
  });
});

describe('recoverySchema', () => {
  it('takes T0 as epoch ms, or as the timestamp string Step Functions gives an FIS experiment’s creationTime', () => {
    // Act
    const read = [T0, '2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00Z', '2026-11-23T11:00:00+01:00'].map(
      (requestedAt) => recoverySchema.parse({ requestedAt, polls: 0, done: false, events: [] }).requestedAt,
    );
    const refused = recoverySchema.safeParse({ requestedAt: 'soon', polls: 0, done: false, events: [] });

    // Assess
    expect(read).toEqual([T0, T0, T0, T0]);
    expect(refused.success).toBe(false);
  });
});
