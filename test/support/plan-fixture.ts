/** A drill plan for unit tests of the core and the handlers, as Preflight would return it. */
import type { DrillPlan } from '../../functions/core/drill/plan.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';

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
