/**
 * ModifyReplicationGroupShardConfiguration's request as AWS judges it (API reference, "Request
 * Parameters"): ApplyImmediately must be true; NodeGroupCount differs from the current count and stays
 * within the quota; scaling in names NodeGroupsToRemove or NodeGroupsToRetain (not both), scaling out
 * names neither; ReshardingConfiguration only when scaling out. Pure.
 */
import { elastiCacheFaults as faults } from './faults.js';
import type { GroupView } from './group.js';

/** AWS's quota of node groups per replication group (NodeGroupsPerReplicationGroupQuotaExceeded). */
export const NODE_GROUPS_QUOTA = 500;
/** What the local cloud runs on one machine: beyond it, no capacity (InsufficientCacheClusterCapacity). */
export const LOCAL_NODE_GROUPS_MAX = 15;

export interface ShardConfigurationInput {
  nodeGroupCount: number;
  applyImmediately: boolean;
  remove: string[];
  retain: string[];
  /** ReshardingConfiguration entries given. */
  zones: number;
}

/** The validated change: the target count and the node groups that leave. */
export function checkShardConfiguration(
  view: GroupView,
  input: ShardConfigurationInput,
): { nodeGroupCount: number; remove: string[] } {
  const { nodeGroupCount: count, remove, retain } = input;
  const current = view.nodeGroups.map((ng) => ng.id);
  if (view.clusterMode !== 'enabled')
    throw faults.invalidParameterCombination(
      `Replication group ${view.id} is not cluster mode enabled: its shard configuration cannot be modified.`,
    );
  if (!input.applyImmediately)
    throw faults.invalidParameterValue('ApplyImmediately must be true: shards are reconfigured immediately.');
  if (!Number.isInteger(count) || count < 1)
    throw faults.invalidParameterValue(`Invalid value for NodeGroupCount: ${count}. It must be at least 1.`);
  if (count > NODE_GROUPS_QUOTA) throw faults.nodeGroupsQuotaExceeded(NODE_GROUPS_QUOTA);
  if (count > LOCAL_NODE_GROUPS_MAX) throw faults.insufficientCapacity(LOCAL_NODE_GROUPS_MAX);
  if (count === current.length)
    throw faults.invalidParameterValue(
      `NodeGroupCount ${count} is the current number of node groups of ${view.id}: nothing to modify.`,
    );
  if (remove.length > 0 && retain.length > 0)
    throw faults.invalidParameterCombination(
      'Specify either NodeGroupsToRemove or NodeGroupsToRetain, not both.',
    );
  if (count > current.length) {
    if (remove.length > 0 || retain.length > 0)
      throw faults.invalidParameterCombination(
        'NodeGroupsToRemove and NodeGroupsToRetain apply only when NodeGroupCount is less than the current number of node groups.',
      );
    return { nodeGroupCount: count, remove: [] };
  }
  if (input.zones > 0)
    throw faults.invalidParameterCombination(
      'ReshardingConfiguration applies only when NodeGroupCount is greater than the current number of node groups.',
    );
  if (remove.length === 0 && retain.length === 0)
    throw faults.invalidParameterCombination(
      'NodeGroupsToRemove or NodeGroupsToRetain is required when NodeGroupCount is less than the current number of node groups.',
    );
  for (const id of [...remove, ...retain])
    if (!current.includes(id)) throw faults.invalidParameterValue(`Node group ${id} is not in ${view.id}.`);
  const leaving = remove.length > 0 ? remove : current.filter((id) => !retain.includes(id));
  if (current.length - new Set(leaving).size !== count)
    throw faults.invalidParameterValue(
      `Removing ${[...new Set(leaving)].join(', ')} leaves ${current.length - new Set(leaving).size} node groups, not NodeGroupCount ${count}.`,
    );
  return { nodeGroupCount: count, remove: [...new Set(leaving)] };
}
