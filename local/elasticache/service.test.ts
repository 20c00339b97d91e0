import {
  AddTagsToResourceCommand,
  DescribeCacheClustersCommand,
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { elastiCacheClient, faultOf } from '../../test/support/local-cloud.js';
import { ControlPlane } from '../control-plane.js';
import { FailoverBudget } from './budget.js';
import type { Emit, GroupView, LocalGroup } from './group.js';
import { ELASTICACHE_VERSION, ElastiCacheService } from './service.js';

const account = { region: 'us-east-1', accountId: '000000000000' };
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const created = new Date('2026-11-23T10:00:00.000Z');
const arn = (kind: string, id: string) => `arn:aws:elasticache:us-east-1:000000000000:${kind}:${id}`;

/** A group model without processes: its failover ends when the test says so. */
class StubGroup implements LocalGroup {
  failovers: string[] = [];
  private finish: (() => void) | undefined;

  constructor(private readonly v: GroupView) {}

  get id(): string {
    return this.v.id;
  }

  view(): GroupView {
    return this.v;
  }

  failover(nodeGroupId: string, emit: Emit): Promise<void> {
    this.failovers.push(nodeGroupId);
    return new Promise((resolve) => {
      this.finish = () => {
        emit('replication-group', this.id, 'done');
        resolve();
      };
    });
  }

  complete(): void {
    this.finish?.();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function disabledView(id: string, replicas: number): GroupView {
  return {
    id,
    clusterMode: 'disabled',
    tls: true,
    authToken: true,
    engineVersion: '7.0.15',
    createdAt: created,
    nodeGroups: [
      {
        id: '0001',
        primaryEndpoint: { host: '127.0.0.1', port: 7000 },
        readerEndpoint: { host: '127.0.0.1', port: 7001 },
        members: Array.from({ length: 1 + replicas }, (_, i) => ({
          id: `${id}-00${i + 1}`,
          nodeGroupId: '0001',
          endpoint: { host: '127.0.0.1', port: 7100 + i },
          role: i === 0 ? ('primary' as const) : ('replica' as const),
          createdAt: created,
        })),
      },
    ],
  };
}

function clusterView(id: string): GroupView {
  return {
    id,
    clusterMode: 'enabled',
    tls: false,
    authToken: false,
    engineVersion: '7.0.15',
    createdAt: created,
    configurationEndpoint: { host: '127.0.0.1', port: 7200 },
    nodeGroups: ['0001', '0002'].map((ng, s) => ({
      id: ng,
      slots: s === 0 ? '0-8191' : '8192-16383',
      members: [0, 1].map((r) => ({
        id: `${id}-${ng}-00${r + 1}`,
        nodeGroupId: ng,
        endpoint: { host: '127.0.0.1', port: 7300 + s * 10 + r },
        role: r === 0 ? ('primary' as const) : ('replica' as const),
        createdAt: created,
      })),
    })),
  };
}

let plane: ControlPlane;
let service: ElastiCacheService;
let demo: StubGroup;
let now: Date;

beforeEach(async () => {
  now = new Date('2026-11-23T12:00:00.000Z');
  service = new ElastiCacheService({
    ...account,
    clock: () => now,
    budget: new FailoverBudget(15, () => now.getTime()),
  });
  demo = new StubGroup(disabledView('drill-demo', 2));
  service.addGroup(demo, { 'failover-drill:allowed': 'true' });
  service.addGroup(new StubGroup(clusterView('sharded')));
  service.addGroup(new StubGroup(disabledView('lonely', 0)));
  plane = await ControlPlane.start();
  plane.mount('elasticache', service.handler, { queryVersion: ELASTICACHE_VERSION });
  plane.open();
});

afterEach(async () => {
  demo.complete();
  await plane.close();
});

const client = () => elastiCacheClient({ endpoint: plane.endpoint, region: account.region, credentials });

describe('DescribeReplicationGroups', () => {
  it('returns every field the SDK parses, cluster mode disabled', async () => {
    // Prepare
    const ec = client();

    // Act
    const out = await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'drill-demo' }));

    // Assess
    expect(out.ReplicationGroups).toHaveLength(1);
    const group = out.ReplicationGroups![0]!;
    expect(group).toMatchObject({
      ReplicationGroupId: 'drill-demo',
      Status: 'available',
      MemberClusters: ['drill-demo-001', 'drill-demo-002', 'drill-demo-003'],
      AutomaticFailover: 'enabled',
      MultiAZ: 'enabled',
      ClusterEnabled: false,
      ClusterMode: 'disabled',
      AuthTokenEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      ARN: arn('replicationgroup', 'drill-demo'),
      ReplicationGroupCreateTime: created,
      Engine: 'redis',
    });
    expect(group.ConfigurationEndpoint).toBeUndefined();
    expect(group.NodeGroups).toEqual([
      {
        NodeGroupId: '0001',
        Status: 'available',
        PrimaryEndpoint: { Address: '127.0.0.1', Port: 7000 },
        ReaderEndpoint: { Address: '127.0.0.1', Port: 7001 },
        NodeGroupMembers: [0, 1, 2].map((i) => ({
          CacheClusterId: `drill-demo-00${i + 1}`,
          CacheNodeId: '0001',
          ReadEndpoint: { Address: '127.0.0.1', Port: 7100 + i },
          PreferredAvailabilityZone: `us-east-1${'abc'[i]}`,
          CurrentRole: i === 0 ? 'primary' : 'replica',
        })),
      },
    ]);
  });

  it('returns slots and a configuration endpoint, and no roles, with cluster mode enabled', async () => {
    // Prepare
    const ec = client();

    // Act
    const out = await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'sharded' }));

    // Assess
    const group = out.ReplicationGroups![0]!;
    expect(group.ClusterEnabled).toBe(true);
    expect(group.ClusterMode).toBe('enabled');
    expect(group.ConfigurationEndpoint).toEqual({ Address: '127.0.0.1', Port: 7200 });
    expect(group.NodeGroups?.map((ng) => [ng.NodeGroupId, ng.Slots])).toEqual([
      ['0001', '0-8191'],
      ['0002', '8192-16383'],
    ]);
    expect(group.NodeGroups?.[1]?.NodeGroupMembers?.[1]).toEqual({
      CacheClusterId: 'sharded-0002-002',
      CacheNodeId: '0001',
      PreferredAvailabilityZone: 'us-east-1b',
    });
  });

  it('lists every group in id order without an id, and refuses a MaxRecords out of range', async () => {
    // Prepare
    const ec = client();

    // Act
    const out = await ec.send(new DescribeReplicationGroupsCommand({ MaxRecords: 20 }));
    const tooSmall = await faultOf(ec.send(new DescribeReplicationGroupsCommand({ MaxRecords: 5 })));

    // Assess
    expect(out.ReplicationGroups?.map((g) => g.ReplicationGroupId)).toEqual([
      'drill-demo',
      'lonely',
      'sharded',
    ]);
    expect(out.Marker).toBeUndefined();
    expect(tooSmall).toEqual(['InvalidParameterValueException', 400]);
  });
});

describe('DescribeCacheClusters', () => {
  it('looks a node up by its id, with its endpoint when asked', async () => {
    // Prepare
    const ec = client();

    // Act
    const out = await ec.send(
      new DescribeCacheClustersCommand({ CacheClusterId: 'drill-demo-002', ShowCacheNodeInfo: true }),
    );
    const all = await ec.send(new DescribeCacheClustersCommand({}));

    // Assess
    expect(out.CacheClusters).toHaveLength(1);
    expect(out.CacheClusters![0]).toMatchObject({
      CacheClusterId: 'drill-demo-002',
      ReplicationGroupId: 'drill-demo',
      CacheClusterStatus: 'available',
      Engine: 'redis',
      EngineVersion: '7.0.15',
      NumCacheNodes: 1,
      ARN: arn('cluster', 'drill-demo-002'),
      CacheNodes: [
        {
          CacheNodeId: '0001',
          CacheNodeStatus: 'available',
          Endpoint: { Address: '127.0.0.1', Port: 7101 },
        },
      ],
    });
    expect(all.CacheClusters).toHaveLength(3 + 1 + 4);
    expect(all.CacheClusters![0]!.CacheNodes).toBeUndefined();
  });
});

describe('TestFailover', () => {
  it('announces the failover, returns the group, and refuses a second one while the first runs', async () => {
    // Prepare
    const ec = client();

    // Act
    const out = await ec.send(
      new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }),
    );
    const overlapping = await faultOf(
      ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' })),
    );
    demo.complete();
    await service.idle();
    const again = await ec.send(
      new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }),
    );
    const events = await ec.send(new DescribeEventsCommand({ SourceType: 'replication-group' }));

    // Assess
    expect(out.ReplicationGroup?.ReplicationGroupId).toBe('drill-demo');
    expect(overlapping).toEqual(['InvalidReplicationGroupStateFault', 400]);
    expect(again.ReplicationGroup?.Status).toBe('available');
    expect(demo.failovers).toEqual(['0001', '0001']);
    expect(events.Events?.map((e) => [e.SourceIdentifier, e.Message])).toEqual([
      ['drill-demo', 'Test Failover API called for node group 0001'],
      ['drill-demo', 'done'],
      ['drill-demo', 'Test Failover API called for node group 0001'],
    ]);
    expect(events.Events?.[0]?.Date).toEqual(now);
  });

  it('answers every refusal with the fault AWS names, and its HTTP status', async () => {
    // Prepare
    const ec = client();
    const call = (ReplicationGroupId: string, NodeGroupId: string) =>
      faultOf(ec.send(new TestFailoverCommand({ ReplicationGroupId, NodeGroupId })));

    // Act
    const faults = [
      await call('nope', '0001'),
      await call('drill-demo', '0002'),
      await call('drill-demo', 'shard-1'),
      await call('lonely', '0001'),
    ];

    // Assess
    expect(faults).toEqual([
      ['ReplicationGroupNotFoundFault', 404],
      ['NodeGroupNotFoundFault', 404],
      ['InvalidParameterValueException', 400],
      ['TestFailoverNotAvailableFault', 400],
    ]);
    expect(demo.failovers).toEqual([]);
  });

  it('allows 15 node groups per rolling 24 hours, then APICallRateForCustomerExceeded', async () => {
    // Prepare
    const ec = client();
    const call = () =>
      ec.send(new TestFailoverCommand({ ReplicationGroupId: 'drill-demo', NodeGroupId: '0001' }));
    for (let i = 0; i < 15; i++) {
      await call();
      demo.complete();
      await service.idle();
    }

    // Act
    const sixteenth = await faultOf(call());
    now = new Date(now.getTime() + 24 * 60 * 60 * 1000 + 1);
    await call();

    // Assess
    expect(sixteenth).toEqual(['APICallRateForCustomerExceededFault', 400]);
    expect(demo.failovers).toHaveLength(16);
  });
});

describe('DescribeEvents', () => {
  function seed(count: number): void {
    for (let i = 0; i < count; i++) {
      service.events.record(i % 2 ? 'cache-cluster' : 'replication-group', `src-${i % 2}`, `event ${i}`);
    }
  }

  it('pages newest first with Marker and MaxRecords', async () => {
    // Prepare
    seed(45);
    const ec = client();
    const messages: string[] = [];
    let marker: string | undefined;
    let pages = 0;

    // Act
    do {
      const out = await ec.send(new DescribeEventsCommand({ MaxRecords: 20, Marker: marker }));
      messages.push(...(out.Events ?? []).map((e) => e.Message!));
      marker = out.Marker;
      pages++;
    } while (marker && pages < 10);

    // Assess
    expect(pages).toBe(3);
    expect(messages).toEqual(Array.from({ length: 45 }, (_, i) => `event ${44 - i}`));
  });

  it('filters by source and time, and refuses bad parameters with typed faults', async () => {
    // Prepare
    seed(4);
    const ec = client();

    // Act
    const byType = await ec.send(new DescribeEventsCommand({ SourceType: 'cache-cluster' }));
    const byId = await ec.send(
      new DescribeEventsCommand({ SourceType: 'replication-group', SourceIdentifier: 'src-0' }),
    );
    const future = await ec.send(new DescribeEventsCommand({ StartTime: new Date(now.getTime() + 60_000) }));
    const refused = [
      await faultOf(ec.send(new DescribeEventsCommand({ SourceType: 'cache-bucket' as never }))),
      await faultOf(ec.send(new DescribeEventsCommand({ Duration: 20_161 }))),
      await faultOf(ec.send(new DescribeEventsCommand({ MaxRecords: 101 }))),
      await faultOf(ec.send(new DescribeEventsCommand({ Marker: 'bm9wZQ' }))),
      await faultOf(
        ec.send(new DescribeEventsCommand({ StartTime: now, EndTime: new Date(now.getTime() - 1000) })),
      ),
      await faultOf(
        ec.send(new DescribeEventsCommand({ StartTime: new Date(0), EndTime: now, Duration: 5 })),
      ),
    ];

    // Assess
    expect(byType.Events?.map((e) => e.Message)).toEqual(['event 3', 'event 1']);
    expect(byId.Events?.map((e) => e.Message)).toEqual(['event 2', 'event 0']);
    expect(future.Events).toEqual([]);
    expect(refused).toEqual([
      ['InvalidParameterValueException', 400],
      ['InvalidParameterValueException', 400],
      ['InvalidParameterValueException', 400],
      ['InvalidParameterValueException', 400],
      ['InvalidParameterCombinationException', 400],
      ['InvalidParameterCombinationException', 400],
    ]);
  });
});

describe('tags', () => {
  it('lists, adds and removes the tags of a group (the drill lock) and of a node', async () => {
    // Prepare
    const ec = client();
    const ResourceName = arn('replicationgroup', 'drill-demo');

    // Act
    const initial = await ec.send(new ListTagsForResourceCommand({ ResourceName }));
    const locked = await ec.send(
      new AddTagsToResourceCommand({ ResourceName, Tags: [{ Key: 'failover-drill:lock', Value: 'run-1' }] }),
    );
    const unlocked = await ec.send(
      new RemoveTagsFromResourceCommand({ ResourceName, TagKeys: ['failover-drill:lock'] }),
    );
    const node = await ec.send(
      new AddTagsToResourceCommand({
        ResourceName: arn('cluster', 'drill-demo-001'),
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );

    // Assess
    expect(initial.TagList).toEqual([{ Key: 'failover-drill:allowed', Value: 'true' }]);
    expect(locked.TagList).toEqual([
      { Key: 'failover-drill:allowed', Value: 'true' },
      { Key: 'failover-drill:lock', Value: 'run-1' },
    ]);
    expect(unlocked.TagList).toEqual([{ Key: 'failover-drill:allowed', Value: 'true' }]);
    expect(node.TagList).toEqual([{ Key: 'k', Value: 'v' }]);
  });

  it('answers unknown resources, malformed ARNs and unknown keys with typed faults', async () => {
    // Prepare
    const ec = client();

    // Act
    const faults = [
      await faultOf(
        ec.send(new ListTagsForResourceCommand({ ResourceName: arn('replicationgroup', 'nope') })),
      ),
      await faultOf(ec.send(new ListTagsForResourceCommand({ ResourceName: arn('cluster', 'nope-001') }))),
      await faultOf(ec.send(new ListTagsForResourceCommand({ ResourceName: 'drill-demo' }))),
      await faultOf(
        ec.send(
          new RemoveTagsFromResourceCommand({
            ResourceName: arn('replicationgroup', 'drill-demo'),
            TagKeys: ['x'],
          }),
        ),
      ),
    ];

    // Assess
    expect(faults).toEqual([
      ['ReplicationGroupNotFoundFault', 404],
      ['CacheClusterNotFoundFault', 404],
      ['InvalidARNFault', 400],
      ['TagNotFoundFault', 404],
    ]);
  });
});

describe('malformed requests', () => {
  it('get a Query-protocol error, never a crash', async () => {
    // Prepare
    const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
      fetch(plane.endpoint, { method: 'POST', headers: { 'content-type': contentType }, body });
    const version = `Version=${ELASTICACHE_VERSION}`;

    // Act
    const responses = await Promise.all([
      post(`${version}&Action=DeleteReplicationGroup&ReplicationGroupId=drill-demo`),
      post(version),
      post(`${version}&Action=TestFailover&ReplicationGroupId=drill-demo`),
      post(`${version}&Action=DescribeEvents&StartTime=yesterday`),
      post(`${version}&Action=DescribeReplicationGroups&MaxRecords=lots`),
      post('%%%&&&=='),
    ]);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const after = await client().send(new DescribeReplicationGroupsCommand({}));

    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(bodies.map((b) => /<Code>([^<]+)<\/Code>/.exec(b)?.[1])).toEqual([
      'InvalidAction',
      'MissingAction',
      'MissingParameter',
      'InvalidParameterValue',
      'InvalidParameterValue',
      'UnknownService',
    ]);
    expect(after.ReplicationGroups).toHaveLength(3);
  });
});
