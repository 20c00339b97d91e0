/** A drill plan for unit tests of the core and the handlers, as Preflight would return it. */
import { watchedShards } from '../../functions/core/drill/blast-radius.js';
import type { DrillPlan } from '../../functions/core/drill/plan.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { writerGroups } from '../../functions/core/drill/writer-groups.js';

/** A plan as Preflight returns it for tests: group grp, node group 0001 (primary grp-001, replica grp-002). */
export function planFixture(
  input: Record<string, unknown> = {},
  overrides: Partial<Omit<DrillPlan, 'request'>> = {},
): DrillPlan {
  return {
    runId: 'run-1',
    request: parseDrillRequest({ replicationGroupId: 'grp', ...input }),
    target: {
      replicationGroupId: 'grp',
      arn: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:grp',
      nodeGroupId: '0001',
      clusterMode: false,
      endpoint: { host: '127.0.0.1', port: 6379 },
      tls: false,
      primaryNodeId: 'grp-001',
      replicaNodeIds: ['grp-002'],
      slots: [],
    },
    acceptedAt: 1,
    lock: 'run-1@9999999999',
    ...overrides,
  };
}

/**
 * A cluster's plan as Preflight makes it before storing its shard map: `count` shards of equal slot
 * ranges, every one watched, `perInvocation` writers an invocation (a fan-out beyond that).
 */
export function clusterPlanFixture(count: number, perInvocation = 4): DrillPlan {
  const width = Math.floor(16384 / count);
  const shards = Array.from({ length: count }, (_, i) => ({
    nodeGroupId: String(i + 1).padStart(4, '0'),
    slots: [[i * width, i === count - 1 ? 16383 : (i + 1) * width - 1]] as [number, number][],
  }));
  const watched = watchedShards(shards, '0001', 'all');
  const groups = writerGroups(watched.watched, perInvocation);
  return planFixture(
    {},
    {
      target: { ...planFixture().target, clusterMode: true, slots: shards[0]?.slots ?? [], shards },
      watched,
      ...(groups ? { shardGroups: groups } : {}),
    },
  );
}
