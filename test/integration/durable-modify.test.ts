/**
 * CreateReplicationGroup's and ModifyReplicationGroup's Durability on the local cloud's durable groups of
 * real redis-server processes (issue 23): async switched to sync and back, and off and on again (AWS's
 * *Changing durability on an existing cluster*, October 2026), through the pinned SDK; a sync group created
 * by a second client (the AWS CLI v1 reading botocore's model extended with Durability); AWS's refusals;
 * every answer held against that extended model (test/support/aws-models.ts). Injected truth for the
 * switches: a write still in the replication delay line when the primary crashes is lost with durability
 * disabled and kept once switched to sync.
 */
import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ModifyReplicationGroupCommand,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import type { ServiceResponse } from '../../local/control-plane.js';
import { awsCli } from '../support/aws-cli.js';
import { modelDataPath, serviceModel } from '../support/aws-models.js';
import { elastiCacheClient, redisClient, useLocalCloud } from '../support/local-cloud.js';
import { exchangeProblems } from '../support/shape-check.js';

const modify = (ec: ElastiCacheClient, members: Record<string, unknown>) =>
  ec
    .send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'drill-demo', ...members }))
    .catch((e: { name: string; message: string }) => ({ refused: e.name }));

/** What the local ElastiCache answered, by operation, from now on. */
function observeElastiCache(local: ReturnType<typeof useLocalCloud>) {
  const seen: { operation: string; response: ServiceResponse }[] = [];
  local.cloud.controlPlane.observe((service, request, response) => {
    if (service !== 'elasticache') return;
    const operation = new URLSearchParams(request.body.toString('utf8')).get('Action') ?? '';
    seen.push({ operation, response });
  });
  return seen;
}

describe('Durability on local groups', () => {
  // A crash 0 ms after TestFailover, with 1 s of replication lag: a write just acknowledged is still in the
  // delay line when the primary dies, so only a log keeps it.
  const local = useLocalCloud({
    durability: 'async',
    replicas: 1,
    replicationLagMs: 1000,
    detectionDelayMs: 0,
  });

  it('creates a sync group for the AWS CLI on real processes, and refuses what AWS refuses', async () => {
    // Prepare: the CLI reads the model this project judges by, so it knows --durability
    const seen = observeElastiCache(local);
    const env = { AWS_DATA_PATH: modelDataPath('elasticache', '2015-02-02') };
    const create = (id: string, ...more: string[]) =>
      awsCli(
        local.cloud.endpoint,
        [
          'elasticache',
          'create-replication-group',
          '--replication-group-id',
          id,
          '--replication-group-description',
          'durable',
          '--num-cache-clusters',
          '2',
          '--multi-az-enabled',
          ...more,
        ],
        undefined,
        env,
      );
    const valkey9 = ['--engine', 'valkey', '--engine-version', '9.0'];

    // Act
    const created = await create('created-sync', ...valkey9, '--durability', 'sync');
    const described = await awsCli(
      local.cloud.endpoint,
      ['elasticache', 'describe-replication-groups', '--replication-group-id', 'created-sync'],
      undefined,
      env,
    );
    const refused = await Promise.all([
      create('on-redis', '--engine', 'redis', '--durability', 'sync'),
      create('on-valkey8', '--engine', 'valkey', '--engine-version', '8.0', '--durability', 'async'),
      create('unknown-mode', ...valkey9, '--durability', 'strong'),
      create('created-sync', ...valkey9, '--durability', 'sync'),
    ]);
    const lag = local.cloud.elastiCache.durabilitySeconds(
      'DurabilityLag',
      'created-sync-001',
      0,
      Date.now() + 1000,
    );

    // Assess
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({
      ReplicationGroup: { ReplicationGroupId: 'created-sync', Status: 'creating', Durability: 'sync' },
    });
    expect(described.json).toMatchObject({
      ReplicationGroups: [
        {
          Status: 'available',
          Durability: 'sync',
          EffectiveDurability: 'sync',
          MemberClusters: ['created-sync-001', 'created-sync-002'],
        },
      ],
    });
    // The group is real: its sync log publishes a lag of 0 for the local CloudWatch.
    expect(lag?.length).toBeGreaterThan(0);
    expect(lag?.every((p) => p.value === 0)).toBe(true);
    expect(refused.map((r) => /An error occurred \((\w+)\)/.exec(r.stderr)?.[1])).toEqual([
      'InvalidParameterCombination',
      'InvalidParameterCombination',
      'InvalidParameterValue',
      'ReplicationGroupAlreadyExists',
    ]);
    expect(exchangeProblems(serviceModel('elasticache', '2015-02-02'), seen)).toEqual([]);
  });

  it('switches async to sync and back, refuses what AWS refuses, each answer as the model says', async () => {
    // Prepare
    const seen = observeElastiCache(local);
    const ec = elastiCacheClient(local.cloud);

    // Act
    const toSync = await modify(ec, { Durability: 'sync', ApplyImmediately: true });
    const described = await ec.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }),
    );
    const refusals = [
      await modify(ec, { Durability: 'strong' }),
      await modify(ec, { Durability: 'default' }),
      await modify(ec, { Durability: 'async', MultiAZEnabled: false }),
    ];
    const back = await modify(ec, { Durability: 'async' });

    // Assess
    expect(toSync).toMatchObject({ ReplicationGroup: { Durability: 'sync', EffectiveDurability: 'sync' } });
    expect(described.ReplicationGroups?.[0]).toMatchObject({
      Engine: 'valkey',
      Durability: 'sync',
      EffectiveDurability: 'sync',
    });
    expect(refusals).toEqual([
      { refused: 'InvalidParameterValueException' },
      { refused: 'InvalidParameterCombinationException' },
      { refused: 'InvalidParameterValueException' },
    ]);
    expect(back).toMatchObject({ ReplicationGroup: { Durability: 'async', EffectiveDurability: 'async' } });
    const model = serviceModel('elasticache', '2015-02-02');
    const problems = exchangeProblems(model, seen);
    expect(problems).toEqual([]);
    expect(seen.map((s) => s.response.status)).toEqual([200, 200, 400, 400, 400, 200]);
  });

  it('switches async to disabled and disabled to sync: the crash that loses a disabled write keeps a sync one', async () => {
    // Prepare
    const seen = observeElastiCache(local);
    const ec = elastiCacheClient(local.cloud);
    /** Writes `key` through the primary endpoint, crashes the primary at once, and reads the key after. */
    const survivesCrash = async (key: string) => {
      const primary = redisClient(local.cloud.group.primaryEndpoint!);
      try {
        await primary.connect();
        await primary.set(key, 'acknowledged');
      } finally {
        primary.disconnect();
      }
      await ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }));
      await local.cloud.elastiCache.idle();
      const promoted = redisClient(local.cloud.group.primaryEndpoint!);
      try {
        await promoted.connect();
        return (await promoted.exists(key)) === 1;
      } finally {
        promoted.disconnect();
      }
    };

    // Act
    const off = await modify(ec, { Durability: 'disabled', ApplyImmediately: true });
    const disabledKept = await survivesCrash('durable-modify:disabled');
    const on = await modify(ec, { Durability: 'sync', ApplyImmediately: true });
    const syncKept = await survivesCrash('durable-modify:sync');
    const described = await ec.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }),
    );

    // Assess
    expect(off).toMatchObject({
      ReplicationGroup: { Engine: 'valkey', Durability: 'disabled', EffectiveDurability: 'disabled' },
    });
    expect(on).toMatchObject({ ReplicationGroup: { Durability: 'sync', EffectiveDurability: 'sync' } });
    expect(described.ReplicationGroups?.[0]).toMatchObject({
      Durability: 'sync',
      EffectiveDurability: 'sync',
    });
    expect({ disabledKept, syncKept }).toEqual({ disabledKept: false, syncKept: true });
    expect(exchangeProblems(serviceModel('elasticache', '2015-02-02'), seen)).toEqual([]);
  }, 60_000);
});
