/**
 * ModifyReplicationGroup's Durability on the local cloud's durable group of real redis-server processes
 * (issue 23): async switched to sync and back through the pinned SDK, AWS's refusals, and every answer held
 * against botocore's model extended with Durability and EffectiveDurability (test/support/aws-models.ts).
 */
import {
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  ModifyReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import type { ServiceResponse } from '../../local/control-plane.js';
import { serviceModel } from '../support/aws-models.js';
import { elastiCacheClient, useLocalCloud } from '../support/local-cloud.js';
import { exchangeProblems } from '../support/shape-check.js';

const modify = (ec: ElastiCacheClient, members: Record<string, unknown>) =>
  ec
    .send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'drill-demo', ...members }))
    .catch((e: { name: string; message: string }) => ({ refused: e.name }));

describe('ModifyReplicationGroup on a local durable group', () => {
  const local = useLocalCloud({ durability: 'async', replicas: 1 });

  it('switches async to sync and back, refuses what AWS refuses, each answer as the model says', async () => {
    // Prepare
    const seen: { operation: string; response: ServiceResponse }[] = [];
    local.cloud.controlPlane.observe((service, request, response) => {
      if (service !== 'elasticache') return;
      const operation = new URLSearchParams(request.body.toString('utf8')).get('Action') ?? '';
      seen.push({ operation, response });
    });
    const ec = elastiCacheClient(local.cloud);

    // Act
    const toSync = await modify(ec, { Durability: 'sync', ApplyImmediately: true });
    const described = await ec.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }),
    );
    const refusals = [
      await modify(ec, { Durability: 'strong' }),
      await modify(ec, { Durability: 'disabled' }),
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
});
