import {
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FLEET_MAX_TARGETS, parseFleetRequest, planFleet } from './fleet.js';

const elastiCache = mockClient(ElastiCacheClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => elastiCache.restore());
const client = new ElastiCacheClient({ region: 'us-east-1' });

function group(id: string, nodeGroups = 1): ReplicationGroup {
  return {
    ReplicationGroupId: id,
    ARN: `arn:aws:elasticache:us-east-1:000000000000:replicationgroup:${id}`,
    Status: 'available',
    ClusterEnabled: nodeGroups > 1,
    NodeGroups: Array.from({ length: nodeGroups }, (_, i) => ({
      NodeGroupId: `000${i + 1}`,
      NodeGroupMembers: [{ CacheClusterId: `${id}-${i}-1` }, { CacheClusterId: `${id}-${i}-2` }],
    })),
  };
}

function given(groups: ReplicationGroup[], options: { used?: number; tagged?: string[] } = {}) {
  elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: groups });
  elastiCache.on(DescribeEventsCommand).resolves({
    Events: Array.from({ length: options.used ?? 0 }, (_, i) => ({
      Message: `Test Failover API called for node group 000${(i % 9) + 1}`,
    })),
  });
  elastiCache.on(ListTagsForResourceCommand).callsFake((input: { ResourceName: string }) => ({
    TagList: options.tagged?.some((id) => input.ResourceName.endsWith(`:${id}`))
      ? [{ Key: 'failover-drill:allowed', Value: 'true' }]
      : [],
  }));
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error as Error & { reason?: string };
  }
  throw new Error('not refused');
};
const refusalOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('not refused');
    },
    (error: Error & { reason?: string }) => error,
  );

afterEach(() => elastiCache.reset());

describe('parseFleetRequest refuses, by name, what needs no lookup', () => {
  it.each([
    ['targets-empty', { targets: [] }],
    [
      'targets-too-many',
      {
        targets: Array.from({ length: FLEET_MAX_TARGETS + 1 }, (_, i) => ({ replicationGroupId: `g${i}` })),
      },
    ],
    ['duplicate-target', { targets: [{ replicationGroupId: 'a' }, { replicationGroupId: 'a' }] }],
    ['max-concurrency-out-of-range', { targets: [{ replicationGroupId: 'a' }], maxConcurrency: 0 }],
    ['max-concurrency-out-of-range', { targets: [{ replicationGroupId: 'a' }], maxConcurrency: 41 }],
  ])('%s', (reason, input) => {
    // Act
    const error = refusal(() => parseFleetRequest(input));
    // Assess
    expect(error.name).toBe('FleetInputError');
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(new RegExp(`^${reason}: `));
  });

  it('unknown fields and bad drill settings are DrillInputError naming the field', () => {
    // Act
    const unknown = refusal(() => parseFleetRequest({ targets: [{ replicationGroupId: 'a' }], extra: 1 }));
    const badDrill = refusal(() =>
      parseFleetRequest({ targets: [{ replicationGroupId: 'a' }], drill: { writer: { rate: 0 } } }),
    );
    const longPowerOff = refusal(() =>
      parseFleetRequest({
        targets: [{ replicationGroupId: 'a' }],
        drill: { fault: { source: 'fis-az-power', duration: 'PT30M' } },
      }),
    );
    // Assess
    expect(unknown.name).toBe('DrillInputError');
    expect(unknown.message).toContain('extra');
    expect(badDrill.name).toBe('DrillInputError');
    expect(badDrill.message).toContain('writer.rate');
    expect(longPowerOff.name).toBe('DrillInputError');
    expect(longPowerOff.message).toContain(
      'fault.duration PT30M must be shorter than recovery.maxWaitSeconds',
    );
  });
});

describe('planFleet', () => {
  it('groups node groups of one group in order, other groups apart, every target named', async () => {
    // Prepare
    given([group('a', 2), group('b')]);
    const request = parseFleetRequest({
      targets: [
        { replicationGroupId: 'a', nodeGroupId: '0002' },
        { replicationGroupId: 'b' },
        { replicationGroupId: 'a', nodeGroupId: '0001' },
      ],
      maxConcurrency: 2,
    });
    // Act
    const fleetArn = 'arn:aws:states:us-east-1:000000000000:execution:failover-drill-fleet:fleet-1';
    const plan = await planFleet(request, 'fleet-1', client, () => 1000, fleetArn);
    // Assess
    expect(plan.groups.map((g) => [g.replicationGroupId, g.targets.map((t) => t.nodeGroupId)])).toEqual([
      ['a', ['0002', '0001']],
      ['b', ['0001']],
    ]);
    expect(plan.groups[0]!.targets[0]).toMatchObject({
      runId: 'fleet-1-a-0002',
      input: {
        replicationGroupId: 'a',
        nodeGroupId: '0002',
        runId: 'fleet-1-a-0002',
        notify: false,
        // Step Functions' key: the drill's execution is linked to (and stopped with) the fleet's.
        AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: fleetArn,
      },
    });
    expect(plan).toMatchObject({
      maxConcurrency: 2,
      refused: [],
      budget: { limit: 15, usedLast24h: 0, planned: 3 },
    });
  });

  it('refuses up front the targets beyond what is left of the 15 node groups per 24 h', async () => {
    // Prepare: 13 used account-wide, 2 left for 3 targets
    given([group('a'), group('b'), group('c')], { used: 13 });
    const request = parseFleetRequest({ targets: ['a', 'b', 'c'].map((id) => ({ replicationGroupId: id })) });
    // Act
    const plan = await planFleet(request, 'fleet-1', client);
    // Assess
    expect(plan.groups.map((g) => g.replicationGroupId)).toEqual(['a', 'b']);
    expect(plan.refused).toEqual([
      expect.objectContaining({
        replicationGroupId: 'c',
        nodeGroupId: '0001',
        error: expect.objectContaining({ name: 'GuardrailError', guardrail: 'test-failover-budget-spent' }),
      }),
    ]);
    expect(plan.budget).toEqual({ limit: 15, usedLast24h: 13, planned: 2 });
  });

  it('a fault that is not TestFailover spends no budget', async () => {
    // Prepare
    given([group('a')], { used: 15 });
    const request = parseFleetRequest({ targets: [{ replicationGroupId: 'a' }], drill: { fault: 'none' } });
    // Act
    const plan = await planFleet(request, 'fleet-1', client);
    // Assess
    expect(plan.refused).toEqual([]);
    expect(plan.budget).toBeNull();
  });

  it('resolves a tag selector to the tagged groups', async () => {
    // Prepare
    given([group('a'), group('b'), group('c')], { tagged: ['a', 'c'] });
    const request = parseFleetRequest({ targets: { tag: 'failover-drill:allowed=true' } });
    // Act
    const plan = await planFleet(request, 'fleet-1', client);
    // Assess
    expect(plan.groups.map((g) => g.replicationGroupId)).toEqual(['a', 'c']);
  });

  it.each([
    ['unknown-group', { targets: [{ replicationGroupId: 'nope' }] }],
    ['unknown-node-group', { targets: [{ replicationGroupId: 'a', nodeGroupId: '0009' }] }],
    [
      'duplicate-target',
      { targets: [{ replicationGroupId: 'a' }, { replicationGroupId: 'a', nodeGroupId: '0001' }] },
    ],
    ['selector-matched-nothing', { targets: { tag: 'team=nobody' } }],
  ])('refuses %s by name before anything is touched', async (reason, input) => {
    // Prepare
    given([group('a')], { tagged: ['a'] });
    // Act
    const error = await refusalOf(planFleet(parseFleetRequest(input), 'fleet-1', client));
    // Assess
    expect(error.name).toBe('FleetInputError');
    expect(error.reason).toBe(reason);
    // Only reads: nothing was tagged, failed over or modified.
    const actions = elastiCache.calls().map((c) => c.args[0].constructor.name);
    expect(new Set(actions)).toEqual(new Set(actions.filter((a) => /^(Describe|ListTags)/.test(a))));
  });
});
