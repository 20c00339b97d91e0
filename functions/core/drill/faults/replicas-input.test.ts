/**
 * replicas' input form and its refusals; its guardrails, each refusal by name; when its change has finished,
 * alone and as AwaitRecovery follows it (a stub DescribeReplicationGroups).
 */
import type { ElastiCacheClient, ReplicationGroup } from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import { planFixture } from '../../../../test/support/plan-fixture.js';
import { awaitChange, reached, shapeOf } from '../change.js';
import type { FaultScope } from './index.js';
import { replicaCounts, replicas, replicasSchema } from './replicas.js';

/** A described group: node groups with a primary and `replicas` replicas each. */
function groupWith(perNodeGroup: number[], extra: Partial<ReplicationGroup> = {}): ReplicationGroup {
  return {
    ReplicationGroupId: 'g',
    Status: 'available',
    NodeGroups: perNodeGroup.map((count, i) => ({
      NodeGroupId: `000${i + 1}`,
      NodeGroupMembers: Array.from({ length: count + 1 }, (_, m) => ({ CacheClusterId: `g-00${m + 1}` })),
    })),
    ...extra,
  };
}

describe('replicas input', () => {
  it('takes 0 to 5 replicas, as AWS bounds them, and refuses anything else', () => {
    // Prepare
    const good = [0, 1, 5].map((n) => replicasSchema.safeParse({ source: 'replicas', newReplicaCount: n }));
    const bad = [
      replicasSchema.safeParse({ source: 'replicas' }),
      replicasSchema.safeParse({ source: 'replicas', newReplicaCount: 6 }),
      replicasSchema.safeParse({ source: 'replicas', newReplicaCount: -1 }),
      replicasSchema.safeParse({ source: 'replicas', newReplicaCount: 1.5 }),
      replicasSchema.safeParse({ source: 'replicas', newReplicaCount: '2' }),
      replicasSchema.safeParse({ source: 'replicas', newReplicaCount: 2, extra: 1 }),
    ];

    // Act
    const accepted = good.map((r) => r.success);
    const refused = bad.map((r) => r.success);

    // Assess
    expect(accepted).toEqual([true, true, true]);
    expect(refused).toEqual([false, false, false, false, false, false]);
  });

  it('refuses the count of today, 0 on a Multi-AZ group, and a pending modification, by name', () => {
    // Prepare
    const scope = (group: ReplicationGroup) => ({ group, nodeGroup: {} }) as FaultScope;
    const judge = (newReplicaCount: number, group: ReplicationGroup) => {
      const names: string[] = [];
      replicas.guardrails.judge({ source: 'replicas', newReplicaCount }, scope(group), (name) =>
        names.push(name),
      );
      return names;
    };
    const multiAz = { AutomaticFailover: 'enabled', MultiAZ: 'enabled' } as const;
    const pending = { PendingModifiedValues: { PrimaryClusterId: 'g-002' } };

    // Act
    const answers = [
      judge(2, groupWith([1])),
      judge(1, groupWith([2, 2])),
      judge(1, groupWith([1])),
      judge(0, groupWith([1], multiAz)),
      judge(0, groupWith([1], { AutomaticFailover: 'disabled', MultiAZ: 'disabled' })),
      judge(2, groupWith([1], pending)),
    ];

    // Assess
    expect(answers).toEqual([
      [],
      [],
      ['nothing-to-change'],
      ['replica-needed'],
      [],
      ['modification-pending'],
    ]);
  });

  it('finishes only once every node group has the new count; other changes are not held to it', () => {
    // Prepare
    const asked = { newReplicaCount: 2 };

    // Act
    const readings = [
      reached(asked, groupWith([1, 1])),
      reached(asked, groupWith([2, 1])),
      reached(asked, groupWith([2, 2])),
      reached({ nodeGroupCount: 3 }, groupWith([1, 1])),
    ];

    // Assess
    expect(readings).toEqual([false, false, true, true]);
    expect(replicaCounts(groupWith([0, 3]))).toEqual([0, 3]);
  });
});

describe('following a replicas change', () => {
  it('keeps polling while the group is available with the old count, and ends at the new one', async () => {
    // Prepare: DescribeReplicationGroups answers as AWS may between the call and the change showing
    const readings = [groupWith([1]), groupWith([1], { Status: 'modifying' }), groupWith([2])];
    const elastiCache = {
      send: async () => ({ ReplicationGroups: [readings.shift() ?? groupWith([2])] }),
    } as unknown as ElastiCacheClient;
    let now = 1_000;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const plan = planFixture({ fault: { source: 'replicas', newReplicaCount: 2 } });
    const started = {
      requestedAt: 1_000,
      polls: 0,
      done: false,
      events: [],
      change: {
        source: 'replicas',
        requested: { newReplicaCount: 2 },
        progress: [],
        before: shapeOf(groupWith([1])),
      },
    };

    // Act
    const followed = await awaitChange(plan, started, elastiCache, clock);

    // Assess
    expect(followed).toMatchObject({ done: true, polls: 3 });
    expect(followed.change?.after?.nodeGroups).toEqual([{ id: '0001', replicas: 2 }]);
    expect(followed.change?.before.nodeGroups).toEqual([{ id: '0001', replicas: 1 }]);
  });
});
