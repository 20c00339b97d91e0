/**
 * The Global Datastore operations of the local cloud held against botocore's model of ElastiCache: the SDK
 * drives Create, Describe, Failover and Disassociate GlobalReplicationGroup in both regions (answers and
 * faults), every answer is checked against its output shape or listed errors, and the AWS CLI (a second
 * client, botocore's own parsers) drives a whole regional failover: describe, failover, describe.
 */
import {
  CreateGlobalReplicationGroupCommand,
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  DisassociateGlobalReplicationGroupCommand,
  FailoverGlobalReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../local/cloud.js';
import type { ServiceResponse } from '../../local/control-plane.js';
import { ELASTICACHE_VERSION } from '../../local/elasticache/service.js';
import { awsCli } from '../support/aws-cli.js';
import { serviceModel } from '../support/aws-models.js';
import { elastiCacheClient } from '../support/local-cloud.js';
import { checkResponse } from '../support/shape-check.js';

interface Exchange {
  operation: string;
  response: ServiceResponse;
}

interface GlobalMember {
  ReplicationGroupId: string;
  ReplicationGroupRegion: string;
  Role: string;
  Status: string;
}

interface GlobalGroup {
  GlobalReplicationGroupId: string;
  Status: string;
  Members?: GlobalMember[];
}

const exchanges: Exchange[] = [];
let cloud: LocalCloud;

const either = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    () => undefined,
  );

/** Polls the datastore until it is available again (a failover or a disassociation ended). */
async function settled(): Promise<void> {
  await cloud.idle();
}

beforeAll(async () => {
  // No WAN latency: the figures here are the answers' shapes, not the link's timing.
  cloud = await startLocalCloud({
    replicas: 0,
    global: { crossRegionLatencyMs: 0, promotionDelayMs: 50 },
  });
  cloud.controlPlane.observe((service, request, response) => {
    if (service !== 'elasticache') return;
    const operation = new URLSearchParams(request.body.toString('utf8')).get('Action') ?? '';
    if (operation.includes('Global')) exchanges.push({ operation, response });
  });
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

describe('the Global Datastore operations against botocore elasticache', () => {
  it('answers Create, Describe, Failover and Disassociate in both regions as the model says', async () => {
    // Prepare
    const g = cloud.global!;
    const us = elastiCacheClient({ ...cloud, region: g.primary.region });
    const eu = elastiCacheClient({ ...cloud, region: g.secondary.region });
    const id = g.globalReplicationGroupId;

    // Act
    await us.send(new DescribeGlobalReplicationGroupsCommand({}));
    await eu.send(
      new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }),
    );
    await either(us.send(new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: 'nope' })));
    await either(us.send(new DescribeGlobalReplicationGroupsCommand({ MaxRecords: 5 })));
    const failover = {
      GlobalReplicationGroupId: id,
      PrimaryRegion: g.secondary.region,
      PrimaryReplicationGroupId: g.secondary.replicationGroupId,
    };
    await either(
      us.send(new FailoverGlobalReplicationGroupCommand({ ...failover, PrimaryRegion: 'ap-south-9' })),
    );
    await either(
      us.send(
        new FailoverGlobalReplicationGroupCommand({
          ...failover,
          PrimaryRegion: g.primary.region,
          PrimaryReplicationGroupId: g.primary.replicationGroupId,
        }),
      ),
    );
    const started = await eu.send(new FailoverGlobalReplicationGroupCommand(failover));
    // A second failover while the first runs: the datastore is modifying.
    await either(eu.send(new FailoverGlobalReplicationGroupCommand(failover)));
    await settled();
    const swapped = await us.send(
      new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }),
    );
    await either(
      us.send(
        new DisassociateGlobalReplicationGroupCommand({
          GlobalReplicationGroupId: id,
          ReplicationGroupId: g.secondary.replicationGroupId,
          ReplicationGroupRegion: g.secondary.region,
        }),
      ),
    );
    await us.send(
      new DisassociateGlobalReplicationGroupCommand({
        GlobalReplicationGroupId: id,
        ReplicationGroupId: g.primary.replicationGroupId,
        ReplicationGroupRegion: g.primary.region,
      }),
    );
    await settled();
    await us.send(
      new CreateGlobalReplicationGroupCommand({
        GlobalReplicationGroupIdSuffix: 'second',
        PrimaryReplicationGroupId: g.primary.replicationGroupId,
      }),
    );
    await either(
      us.send(
        new CreateGlobalReplicationGroupCommand({
          GlobalReplicationGroupIdSuffix: 'second',
          PrimaryReplicationGroupId: g.primary.replicationGroupId,
        }),
      ),
    );
    await either(
      us.send(
        new CreateGlobalReplicationGroupCommand({
          GlobalReplicationGroupIdSuffix: 'x',
          PrimaryReplicationGroupId: 'nope',
        }),
      ),
    );
    const primaryOnly = await us.send(new DescribeGlobalReplicationGroupsCommand({ ShowMemberInfo: true }));
    await either(
      us.send(
        new FailoverGlobalReplicationGroupCommand({ ...failover, GlobalReplicationGroupId: 'ldgnf-second' }),
      ),
    );
    // The other operations still answer per region: each region sees only its own groups.
    const euGroups = await eu.send(new DescribeReplicationGroupsCommand({}));

    // Assess
    const model = serviceModel('elasticache', ELASTICACHE_VERSION);
    const problems = exchanges.flatMap(({ operation, response }) =>
      checkResponse(model, operation, {
        status: response.status,
        headers: response.headers ?? {},
        body: response.body,
      }),
    );
    expect(problems).toEqual([]);
    const answered = new Set(exchanges.filter((e) => e.response.status === 200).map((e) => e.operation));
    expect([...answered].sort()).toEqual([...g.service.operations].sort());
    const faults = exchanges
      .filter((e) => e.response.status >= 400)
      .map((e) => /<Code>(.*?)<\/Code>/.exec(e.response.body)?.[1]);
    expect(faults).toEqual([
      'GlobalReplicationGroupNotFoundFault',
      'InvalidParameterValue',
      'InvalidParameterValue',
      'InvalidParameterCombination',
      'InvalidGlobalReplicationGroupState',
      'InvalidParameterValue',
      'GlobalReplicationGroupAlreadyExistsFault',
      'ReplicationGroupNotFoundFault',
      'InvalidGlobalReplicationGroupState',
    ]);
    expect(started.GlobalReplicationGroup?.Status).toBe('modifying');
    const roles = Object.fromEntries(
      (swapped.GlobalReplicationGroups?.[0]?.Members ?? []).map((m) => [m.ReplicationGroupRegion, m.Role]),
    );
    expect(roles).toEqual({ [g.primary.region]: 'secondary', [g.secondary.region]: 'primary' });
    expect(swapped.GlobalReplicationGroups?.[0]?.Status).toBe('available');
    expect(primaryOnly.GlobalReplicationGroups?.map((d) => [d.GlobalReplicationGroupId, d.Status])).toEqual([
      ['ldgnf-drill-demo', 'primary-only'],
      ['ldgnf-second', 'primary-only'],
    ]);
    expect(euGroups.ReplicationGroups?.map((r) => r.ReplicationGroupId)).toEqual([
      g.secondary.replicationGroupId,
    ]);
  }, 60_000);
});

describe('the AWS CLI drives a regional failover', () => {
  it('describes, fails over to the secondary region, and sees the roles swapped', async () => {
    // Prepare: a cloud of its own, so that the SDK drive above does not change what the CLI sees.
    const own = await startLocalCloud({
      replicas: 0,
      global: { crossRegionLatencyMs: 0, promotionDelayMs: 50 },
    });
    try {
      const g = own.global!;
      const describeArgs = [
        'elasticache',
        'describe-global-replication-groups',
        '--global-replication-group-id',
        g.globalReplicationGroupId,
        '--show-member-info',
      ];
      const rolesOf = (json: unknown) =>
        Object.fromEntries(
          (
            (json as { GlobalReplicationGroups: GlobalGroup[] }).GlobalReplicationGroups[0]?.Members ?? []
          ).map((m) => [m.ReplicationGroupRegion, m.Role]),
        );

      // Act
      const before = await awsCli(own.endpoint, describeArgs, g.secondary.region);
      const failover = await awsCli(
        own.endpoint,
        [
          'elasticache',
          'failover-global-replication-group',
          '--global-replication-group-id',
          g.globalReplicationGroupId,
          '--primary-region',
          g.secondary.region,
          '--primary-replication-group-id',
          g.secondary.replicationGroupId,
        ],
        g.secondary.region,
      );
      await own.idle();
      const after = await awsCli(own.endpoint, describeArgs, g.primary.region);

      // Assess
      expect(
        [before.code, failover.code, after.code],
        `${before.stderr}${failover.stderr}${after.stderr}`,
      ).toEqual([0, 0, 0]);
      expect(rolesOf(before.json)).toEqual({
        [g.primary.region]: 'primary',
        [g.secondary.region]: 'secondary',
      });
      expect(rolesOf(after.json)).toEqual({
        [g.primary.region]: 'secondary',
        [g.secondary.region]: 'primary',
      });
      expect((failover.json as { GlobalReplicationGroup: GlobalGroup }).GlobalReplicationGroup.Status).toBe(
        'modifying',
      );
    } finally {
      await own.stop();
    }
  }, 90_000);
});
