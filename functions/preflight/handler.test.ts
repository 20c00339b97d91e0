import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand,
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ListTagsForResourceCommand,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
  type Tag,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda/context.js';
import { handler } from './handler.js';

const elastiCache = mockClient(ElastiCacheClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => elastiCache.restore());
const cloudWatch = mockClient(CloudWatchClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => cloudWatch.restore());
const ARN = 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:drill-demo';

function group(overrides: Partial<ReplicationGroup> = {}): ReplicationGroup {
  return {
    ReplicationGroupId: 'drill-demo',
    ARN,
    Status: 'available',
    AutomaticFailover: 'enabled',
    ClusterEnabled: false,
    NodeGroups: [
      {
        NodeGroupId: '0001',
        PrimaryEndpoint: { Address: 'primary.example', Port: 6379 },
        NodeGroupMembers: [
          { CacheClusterId: 'drill-demo-001', CurrentRole: 'primary' },
          { CacheClusterId: 'drill-demo-002', CurrentRole: 'replica' },
        ],
      },
    ],
    ...overrides,
  };
}

function given(
  options: { group?: ReplicationGroup; tags?: Tag[]; testFailovers?: number; alarms?: string[] } = {},
) {
  const tags = options.tags ?? [{ Key: 'failover-drill:allowed', Value: 'true' }];
  elastiCache
    .on(DescribeReplicationGroupsCommand)
    .resolves({ ReplicationGroups: [options.group ?? group()] });
  elastiCache
    .on(ListTagsForResourceCommand)
    .resolvesOnce({ TagList: tags })
    .resolves({
      TagList: [
        ...tags,
        { Key: 'failover-drill:lock', Value: `run-1@${Math.ceil(Date.now() / 1000) + 3600}` },
      ],
    });
  elastiCache.on(DescribeEventsCommand).resolves({
    Events: Array.from({ length: options.testFailovers ?? 0 }, (_, i) => ({
      SourceIdentifier: `group-${i}`,
      Message: `Test Failover API called for node group 000${i % 9}`,
      Date: new Date(),
    })),
  });
  elastiCache.on(AddTagsToResourceCommand).resolves({});
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: (options.alarms ?? []).map((AlarmName) => ({ AlarmName, StateValue: 'ALARM' })),
  });
}

const invoke = (request: unknown) =>
  handler({ request, execution: 'run-1' }, lambdaContext('PreflightFunction', 60_000)).catch(
    (e: unknown) => e,
  );

beforeEach(() => {
  process.env.AWS_REGION = 'us-east-1';
});
afterEach(() => {
  elastiCache.reset();
  cloudWatch.reset();
});

describe('Preflight', () => {
  it('accepts a tagged, healthy group, resolves the target and takes the lock', async () => {
    // Prepare
    given();

    // Act
    const plan = await invoke({ replicationGroupId: 'drill-demo' });

    // Assess
    expect(plan).toMatchObject({
      runId: 'run-1',
      target: {
        nodeGroupId: '0001',
        primaryNodeId: 'drill-demo-001',
        replicaNodeIds: ['drill-demo-002'],
        endpoint: { host: 'primary.example', port: 6379 },
        clusterMode: false,
      },
    });
    expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(1);
  });

  it('refuses an unknown field with DrillInputError before any AWS call', async () => {
    // Prepare
    given();

    // Act
    const error = await invoke({ replicationGroupId: 'drill-demo', maxLost: 3 });

    // Assess
    expect(error).toMatchObject({ name: 'DrillInputError' });
    expect((error as Error).message).toMatch(/maxLost/);
    expect(elastiCache.calls()).toHaveLength(0);
  });

  type Facts = { group?: ReplicationGroup; tags?: Tag[]; testFailovers?: number; alarms?: string[] };
  it.each<[string, Facts]>([
    ['opt-in-tag-missing', { tags: [] }],
    ['test-failover-budget-spent', { testFailovers: 15 }],
    ['stop-alarm', { alarms: ['checkout-errors'] }],
    ['automatic-failover-disabled', { group: group({ AutomaticFailover: 'disabled' }) }],
    ['group-not-available', { group: group({ Status: 'modifying' }) }],
    [
      'drill-in-progress',
      {
        tags: [
          { Key: 'failover-drill:allowed', Value: 'true' },
          { Key: 'failover-drill:lock', Value: `other-run@${Math.ceil(Date.now() / 1000) + 600}` },
        ],
      },
    ],
  ])('refuses with GuardrailError %s and touches nothing', async (guardrail, facts) => {
    // Prepare
    given(facts);

    // Act
    const error = await invoke({
      replicationGroupId: 'drill-demo',
      guardrails: { stopAlarmNames: facts.alarms ?? [] },
    });

    // Assess
    expect(error).toMatchObject({ name: 'GuardrailError', guardrail });
    expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it('refuses an unknown node group', async () => {
    // Prepare
    given();

    // Act
    const error = await invoke({ replicationGroupId: 'drill-demo', nodeGroupId: '0009' });

    // Assess
    expect(error).toMatchObject({ name: 'GuardrailError', guardrail: 'node-group-unknown' });
  });

  describe('with fault fis-az-power', () => {
    const zoned = group({
      NodeGroups: [
        {
          NodeGroupId: '0001',
          PrimaryEndpoint: { Address: 'primary.example', Port: 6379 },
          NodeGroupMembers: [
            {
              CacheClusterId: 'drill-demo-001',
              CurrentRole: 'primary',
              PreferredAvailabilityZone: 'us-east-1a',
            },
            {
              CacheClusterId: 'drill-demo-002',
              CurrentRole: 'replica',
              PreferredAvailabilityZone: 'us-east-1b',
            },
          ],
        },
      ],
    });

    it.each<[string, string | undefined, string]>([
      ['a zone with no node of the group', 'us-east-1c', 'availability-zone-unknown'],
      ['a zone without the primary', 'us-east-1b', 'availability-zone-without-primary'],
    ])('refuses %s, and touches nothing', async (_, availabilityZone, guardrail) => {
      // Prepare
      given({ group: zoned });

      // Act
      const error = await invoke({
        replicationGroupId: 'drill-demo',
        fault: { source: 'fis-az-power', availabilityZone },
      });

      // Assess
      expect(error).toMatchObject({ name: 'GuardrailError', guardrail });
      expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    });

    it('plans the zone of the primary by default, and a dry run previews it without the lock', async () => {
      // Prepare
      given({ group: zoned });
      const fault = { source: 'fis-az-power', duration: 'PT5M' };

      // Act
      const plan = await invoke({ replicationGroupId: 'drill-demo', fault });
      elastiCache.reset();
      given({ group: zoned });
      const dry = await invoke({ replicationGroupId: 'drill-demo', fault, dryRun: true });

      // Assess
      expect(plan).toMatchObject({
        fis: { availabilityZone: 'us-east-1a', nodeIds: ['drill-demo-001'], pollSeconds: 5 },
        lock: expect.any(String),
      });
      expect(dry).toMatchObject({
        dryRun: {
          fault: 'fis-az-power',
          fis: { availabilityZone: 'us-east-1a', nodeIds: ['drill-demo-001'], duration: 'PT5M' },
        },
      });
      expect(dry).not.toHaveProperty('lock');
      expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
    });

    it('refuses when the zone of the primary is not known and none is named', async () => {
      // Prepare
      given({ group: group() });

      // Act
      const error = await invoke({ replicationGroupId: 'drill-demo', fault: { source: 'fis-az-power' } });

      // Assess
      expect(error).toMatchObject({ name: 'GuardrailError', guardrail: 'availability-zone-unknown' });
    });
  });

  it('passes an unknown group through under its AWS fault name', async () => {
    // Prepare
    elastiCache
      .on(DescribeReplicationGroupsCommand)
      .rejects(new ReplicationGroupNotFoundFault({ message: 'not found', $metadata: {} }));

    // Act
    const error = await invoke({ replicationGroupId: 'nope' });

    // Assess
    expect(error).toMatchObject({ name: 'ReplicationGroupNotFoundFault' });
  });

  it('renames throttling to AwsThrottledError, which the state machine retries', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    elastiCache.on(DescribeReplicationGroupsCommand).rejects(throttled);

    // Act
    const error = await invoke({ replicationGroupId: 'drill-demo' });

    // Assess
    expect(error).toMatchObject({ name: 'AwsThrottledError' });
  });

  it('judges a dry run on the same facts and reports the plan, without the lock', async () => {
    // Prepare
    given({ testFailovers: 4 });

    // Act
    const plan = await invoke({
      replicationGroupId: 'drill-demo',
      dryRun: true,
      writer: { rate: 100, baselineSeconds: 3, settleSeconds: 2, maxDurationSeconds: 60 },
      guardrails: { maxTestFailoversPer24h: 10 },
    });

    // Assess
    expect(plan).toMatchObject({
      runId: 'run-1',
      dryRun: {
        target: { replicationGroupId: 'drill-demo', nodeGroupId: '0001', primaryNodeId: 'drill-demo-001' },
        fault: 'test-failover',
        failoverBudget: { used: 4, limit: 10, left: 6 },
        expected: {
          writesPerSecond: 100,
          durationSeconds: { atLeast: 5, atMost: 60 },
          writes: { atLeast: 500, atMost: 6000 },
          keyTtlSeconds: 3600,
        },
      },
    });
    expect(plan).not.toHaveProperty('lock');
    expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });

  it('refuses a dry run exactly as the drill: GuardrailError naming the guardrail', async () => {
    // Prepare
    given({ tags: [] });

    // Act
    const error = await invoke({ replicationGroupId: 'drill-demo', dryRun: true });

    // Assess
    expect(error).toMatchObject({ name: 'GuardrailError', guardrail: 'opt-in-tag-missing' });
    expect(elastiCache.commandCalls(AddTagsToResourceCommand)).toHaveLength(0);
  });
});
