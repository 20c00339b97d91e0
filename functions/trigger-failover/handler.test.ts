import {
  APICallRateForCustomerExceededFault,
  ElastiCacheClient,
  InvalidReplicationGroupStateFault,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda/context.js';
import type { DrillPlan } from '../core/drill/plan.js';
import { parseDrillRequest } from '../core/drill/request.js';
import { handler } from './handler.js';

const elastiCache = mockClient(ElastiCacheClient);
// Unit files share a worker (isolate: false): the stubbed client's prototype must not outlive this file.
afterAll(() => elastiCache.restore());
afterEach(() => elastiCache.reset());

const plan: DrillPlan = {
  runId: 'run-1',
  request: parseDrillRequest({ replicationGroupId: 'grp' }),
  target: {
    replicationGroupId: 'grp',
    arn: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:grp',
    nodeGroupId: '0002',
    clusterMode: true,
    endpoint: { host: 'cfg', port: 6379 },
    tls: true,
    primaryNodeId: '',
    replicaNodeIds: ['grp-0002-001', 'grp-0002-002'],
    slots: [[5461, 10922]],
  },
  acceptedAt: 1,
  lock: 'run-1@2',
};
const invoke = () =>
  handler({ plan }, lambdaContext('TriggerFailoverFunction', 30_000)).catch((e: unknown) => e);

describe('TriggerFailover', () => {
  it('calls TestFailover on the plan node group and stamps T0 before the call', async () => {
    // Prepare
    elastiCache.on(TestFailoverCommand).resolves({ ReplicationGroup: { ReplicationGroupId: 'grp' } });
    const before = Date.now();

    // Act
    const recovery = await invoke();

    // Assess
    expect(elastiCache.commandCalls(TestFailoverCommand)[0]!.args[0].input).toEqual({
      ReplicationGroupId: 'grp',
      NodeGroupId: '0002',
    });
    expect(recovery).toMatchObject({ polls: 0, done: false, events: [] });
    expect((recovery as { requestedAt: number }).requestedAt).toBeGreaterThanOrEqual(before);
  });

  it.each([
    [
      'APICallRateForCustomerExceededFault',
      new APICallRateForCustomerExceededFault({ message: 'budget', $metadata: {} }),
    ],
    [
      'InvalidReplicationGroupStateFault',
      new InvalidReplicationGroupStateFault({ message: 'busy', $metadata: {} }),
    ],
    ['AwsThrottledError', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })],
  ])('fails with %s, the name the state machine acts on', async (name, fault) => {
    // Prepare
    elastiCache.on(TestFailoverCommand).rejects(fault);

    // Act
    const error = await invoke();

    // Assess
    expect(error).toMatchObject({ name });
  });
});
