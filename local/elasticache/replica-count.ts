/**
 * IncreaseReplicaCount and DecreaseReplicaCount as AWS judges them: NewReplicaCount (0–5), above or below
 * today's count as the operation says, ApplyImmediately true, and at least one replica where the group fails
 * over automatically ("Must have at least 1 replica when cluster mode is disabled with auto failover
 * enabled": AWS's answer, hashicorp/terraform-provider-aws#24244). The check is pure.
 */
import { MAX_REPLICAS } from '../../functions/core/drill/faults/replicas.js';
import { elastiCacheFaults as faults } from './faults.js';
import type { GroupView } from './group.js';

export interface ReplicaCountInput {
  direction: 'increase' | 'decrease';
  newReplicaCount: number | undefined;
  /** ReplicaConfiguration's entries (per node group): the local cloud takes the group-wide count only. */
  replicaConfiguration: number;
  /** DecreaseReplicaCount's ReplicasToRemove: the local cloud removes the last replicas itself. */
  replicasToRemove: number;
  applyImmediately: boolean;
}

/** The replicas of each node group of a view: every member but the primary. */
export function replicasOf(view: GroupView): number[] {
  return view.nodeGroups.map((ng) => ng.members.filter((m) => m.role === 'replica').length);
}

/** The validated count every node group has afterwards; refused as AWS refuses it. */
export function checkReplicaCount(view: GroupView, input: ReplicaCountInput): number {
  const { newReplicaCount: count, direction } = input;
  if (count === undefined && input.replicaConfiguration === 0 && input.replicasToRemove === 0)
    throw faults.invalidParameterCombination(
      'Either NewReplicaCount or ReplicaConfiguration must be provided.',
    );
  if (count !== undefined && (input.replicaConfiguration > 0 || input.replicasToRemove > 0))
    throw faults.invalidParameterCombination(
      'NewReplicaCount cannot be combined with ReplicaConfiguration or ReplicasToRemove.',
    );
  if (count === undefined)
    throw faults.invalidParameterValue(
      'The local cloud changes replicas by NewReplicaCount only: ReplicaConfiguration and ReplicasToRemove are not modelled.',
    );
  if (!Number.isInteger(count) || count < 0 || count > MAX_REPLICAS)
    throw faults.invalidParameterValue(
      `Invalid value for NewReplicaCount: ${count}. It must be between 0 and ${MAX_REPLICAS}.`,
    );
  const today = replicasOf(view);
  if (direction === 'increase' && today.some((c) => count <= c))
    throw faults.invalidParameterValue(
      `NewReplicaCount ${count} must be greater than the current number of replicas (${Math.max(...today)}).`,
    );
  if (direction === 'decrease' && today.some((c) => count >= c))
    throw faults.invalidParameterValue(
      `NewReplicaCount ${count} must be less than the current number of replicas (${Math.min(...today)}).`,
    );
  // The local cloud's groups all fail over automatically (Multi-AZ), as shapes.ts reports them.
  if (count === 0 && view.clusterMode === 'disabled')
    throw faults.invalidParameterValue(
      'Must have at least 1 replica when cluster mode is disabled with auto failover enabled.',
    );
  // The local cloud has no maintenance window to defer to.
  if (!input.applyImmediately)
    throw faults.invalidParameterValue(
      'The local cloud applies modifications immediately: ApplyImmediately must be true.',
    );
  return count;
}
