/** replicas' input form and its refusals; its guardrails, each refusal by name; when the change has finished. */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import { reached } from '../change.js';
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
