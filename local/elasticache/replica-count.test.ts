/** IncreaseReplicaCount and DecreaseReplicaCount as AWS judges them: each refusal by name, and valid counts. */
import { describe, expect, it } from 'vitest';
import type { GroupView } from './group.js';
import { checkReplicaCount, type ReplicaCountInput } from './replica-count.js';

/** A cluster-mode-disabled view with one primary and `replicas` replicas. */
function viewWith(replicas: number): GroupView {
  const member = (i: number) => ({
    id: `g-00${i + 1}`,
    nodeGroupId: '0001',
    endpoint: { host: '127.0.0.1', port: 7000 + i },
    role: i === 0 ? ('primary' as const) : ('replica' as const),
    createdAt: new Date(0),
  });
  return {
    id: 'g',
    clusterMode: 'disabled',
    nodeGroups: [{ id: '0001', members: Array.from({ length: replicas + 1 }, (_, i) => member(i)) }],
    tls: false,
    authToken: false,
    engineVersion: '7.2.4',
    createdAt: new Date(0),
  };
}

/** The fault's code, or the count accepted. */
function judged(replicas: number, input: Partial<ReplicaCountInput>): string | number {
  try {
    return checkReplicaCount(viewWith(replicas), {
      direction: 'increase',
      newReplicaCount: undefined,
      replicaConfiguration: 0,
      replicasToRemove: 0,
      applyImmediately: true,
      ...input,
    });
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('checkReplicaCount', () => {
  it('refuses by name what AWS refuses, and takes an increase or a decrease', () => {
    // Prepare
    const up = { direction: 'increase' as const };
    const down = { direction: 'decrease' as const };

    // Act
    const answers = {
      increase: judged(1, { ...up, newReplicaCount: 2 }),
      decrease: judged(2, { ...down, newReplicaCount: 1 }),
      aboveFive: judged(1, { ...up, newReplicaCount: 6 }),
      increaseToToday: judged(1, { ...up, newReplicaCount: 1 }),
      decreaseToMore: judged(1, { ...down, newReplicaCount: 2 }),
      toNoneWithAutomaticFailover: judged(1, { ...down, newReplicaCount: 0 }),
      noCount: judged(1, up),
      countAndConfiguration: judged(1, { ...up, newReplicaCount: 2, replicaConfiguration: 1 }),
      deferred: judged(1, { ...up, newReplicaCount: 2, applyImmediately: false }),
    };

    // Assess
    expect(answers).toEqual({
      increase: 2,
      decrease: 1,
      aboveFive: 'InvalidParameterValue',
      increaseToToday: 'InvalidParameterValue',
      decreaseToMore: 'InvalidParameterValue',
      toNoneWithAutomaticFailover: 'InvalidParameterValue',
      noCount: 'InvalidParameterCombination',
      countAndConfiguration: 'InvalidParameterCombination',
      deferred: 'InvalidParameterValue',
    });
  });
});
