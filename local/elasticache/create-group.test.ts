/** CreateReplicationGroup's request as the local cloud judges it: each refusal by AWS's code, and what it starts. Pure. */
import { describe, expect, it } from 'vitest';
import { QueryParams } from '../protocols/query.js';
import { checkCreateReplicationGroup } from './create-group.js';

const durable = {
  ReplicationGroupId: 'orders',
  ReplicationGroupDescription: 'orders',
  Engine: 'valkey',
  EngineVersion: '9.0',
  NumCacheClusters: '2',
  MultiAZEnabled: 'true',
  Durability: 'sync',
};

/** What the request starts, or the fault's code. */
function judged(members: Record<string, string | undefined>): unknown {
  const defined = Object.entries(members).filter((e): e is [string, string] => e[1] !== undefined);
  const params = QueryParams.parse(
    new URLSearchParams([['Action', 'CreateReplicationGroup'], ...defined]).toString(),
  );
  try {
    return checkCreateReplicationGroup(params, (id) => id === 'taken');
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('checkCreateReplicationGroup', () => {
  it('starts what a valid request asks for, durable or not', () => {
    // Act
    const started = {
      sync: judged(durable),
      asyncNoVersion: judged({ ...durable, Durability: 'async', EngineVersion: undefined }),
      newer: judged({ ...durable, EngineVersion: '9.1', ReplicasPerNodeGroup: '1' }),
      redis: judged({
        ...durable,
        Engine: 'redis',
        EngineVersion: '7.1',
        Durability: 'disabled',
        NumCacheClusters: '3',
      }),
      plain: judged({ ReplicationGroupId: 'plain', ReplicationGroupDescription: 'p' }),
    };

    // Assess: no EngineVersion takes AWS's newest Valkey, which is durable; `disabled` starts no log
    expect(started).toEqual({
      sync: { id: 'orders', replicas: 1, durability: 'sync' },
      asyncNoVersion: { id: 'orders', replicas: 1, durability: 'async' },
      newer: { id: 'orders', replicas: 1, durability: 'sync' },
      redis: { id: 'orders', replicas: 2 },
      plain: { id: 'plain', replicas: 1 },
    });
  });

  it('refuses by AWS’s code what AWS refuses, and by InvalidParameterValue what the local cloud does not model', () => {
    // Act
    const refused = {
      unknownMode: judged({ ...durable, Durability: 'strong' }),
      onRedis: judged({ ...durable, Engine: 'redis' }),
      onValkey8: judged({ ...durable, EngineVersion: '8.1' }),
      noMultiAz: judged({ ...durable, MultiAZEnabled: undefined }),
      noReplica: judged({ ...durable, NumCacheClusters: '1' }),
      taken: judged({ ...durable, ReplicationGroupId: 'taken' }),
      badId: judged({ ...durable, ReplicationGroupId: '1-orders' }),
      disagree: judged({ ...durable, ReplicasPerNodeGroup: '2' }),
      noDescription: judged({ ...durable, ReplicationGroupDescription: undefined }),
      clusterMode: judged({ ...durable, NumNodeGroups: '2' }),
      valkeyPlain: judged({ ...durable, Durability: undefined }),
    };

    // Assess
    expect(refused).toEqual({
      unknownMode: 'InvalidParameterValue',
      onRedis: 'InvalidParameterCombination',
      onValkey8: 'InvalidParameterCombination',
      noMultiAz: 'InvalidParameterCombination',
      noReplica: 'InvalidParameterCombination',
      taken: 'ReplicationGroupAlreadyExists',
      badId: 'InvalidParameterValue',
      disagree: 'InvalidParameterCombination',
      noDescription: 'MissingParameter',
      clusterMode: 'InvalidParameterValue',
      valkeyPlain: 'InvalidParameterValue',
    });
  });
});
