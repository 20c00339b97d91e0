/** Each service's operations called through the unmodified SDK client, answers and faults alike. */
import {
  AddTagsToResourceCommand,
  CreateReplicationGroupCommand,
  DecreaseReplicaCountCommand,
  DescribeCacheClustersCommand,
  DescribeEventsCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  IncreaseReplicaCountCommand,
  ListTagsForResourceCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
  RemoveTagsFromResourceCommand,
  TestFailoverCommand,
} from '@aws-sdk/client-elasticache';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import type { LocalCloud } from '../../local/cloud.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { ClusterGroup } from '../../local/elasticache/cluster-group.js';
import type { LocalGroup } from '../../local/elasticache/group.js';
import { PrimaryReplicaGroup } from '../../local/elasticache/primary-replica-group.js';
import { awsCli } from './aws-cli.js';
import { fisTemplateArgs } from './fis.js';
import { elastiCacheClient, snsClient } from './local-cloud.js';

/** A call whose fault is part of the drive: the answer is recorded either way. */
const either = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    () => undefined,
  );

export async function driveElastiCache(cloud: LocalCloud): Promise<void> {
  const ec = elastiCacheClient(cloud);
  const group = cloud.groupId;
  const arn = `arn:aws:elasticache:${cloud.region}:000000000000:replicationgroup:${group}`;
  const node = cloud.group.nodeGroups[0]!.nodes[0]!.id;
  await ec.send(new DescribeReplicationGroupsCommand({}));
  await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: group, MaxRecords: 20 }));
  await either(ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'nope' })));
  await either(ec.send(new DescribeReplicationGroupsCommand({ MaxRecords: 5 })));
  await ec.send(new DescribeCacheClustersCommand({}));
  await ec.send(new DescribeCacheClustersCommand({ CacheClusterId: node, ShowCacheNodeInfo: true }));
  await either(ec.send(new DescribeCacheClustersCommand({ CacheClusterId: 'nope' })));
  await ec.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: 'team', Value: 'cache' }] }));
  await ec.send(new ListTagsForResourceCommand({ ResourceName: arn }));
  await either(ec.send(new ListTagsForResourceCommand({ ResourceName: 'arn:bogus' })));
  await ec.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['team'] }));
  await either(ec.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: ['absent'] })));
  await ec.send(new TestFailoverCommand({ ReplicationGroupId: group, NodeGroupId: '0001' }));
  await either(ec.send(new TestFailoverCommand({ ReplicationGroupId: group, NodeGroupId: '0001' })));
  await either(ec.send(new TestFailoverCommand({ ReplicationGroupId: group, NodeGroupId: '0009' })));
  await either(ec.send(new TestFailoverCommand({ ReplicationGroupId: 'nope', NodeGroupId: '0001' })));
  await cloud.idle();
  // Resharding is refused on a group without cluster mode, as AWS refuses it (the answer is a listed fault).
  await either(
    ec.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: group,
        NodeGroupCount: 2,
        ApplyImmediately: true,
      }),
    ),
  );
  await either(
    ec.send(
      new ModifyReplicationGroupShardConfigurationCommand({
        ReplicationGroupId: 'nope',
        NodeGroupCount: 2,
        ApplyImmediately: true,
      }),
    ),
  );
  // ModifyReplicationGroup's Durability on a group created without it is refused.
  await either(ec.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: group, Durability: 'sync' })));
  await either(
    ec.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: 'nope', Durability: 'sync' })),
  );
  await ec.send(new DescribeEventsCommand({ Duration: 60 }));
  await ec.send(
    new DescribeEventsCommand({ SourceType: 'replication-group', SourceIdentifier: group, MaxRecords: 20 }),
  );
  await either(ec.send(new DescribeEventsCommand({ StartTime: new Date(), EndTime: new Date(0) })));
  // Last: a durable group of its own (one replica, as durability needs), then AWS's refusals of Create.
  const durable = {
    ReplicationGroupId: 'conformance-durable',
    ReplicationGroupDescription: 'conformance',
    Engine: 'valkey',
    EngineVersion: '9.0',
    NumCacheClusters: 2,
    MultiAZEnabled: true,
    Durability: 'sync' as const,
  };
  await ec.send(new CreateReplicationGroupCommand(durable));
  await either(ec.send(new CreateReplicationGroupCommand(durable)));
  await either(
    ec.send(new CreateReplicationGroupCommand({ ...durable, ReplicationGroupId: 'r', Engine: 'redis' })),
  );
  ec.destroy();
}

/**
 * ModifyReplicationGroupShardConfiguration answered on a group with cluster mode enabled (a small one of
 * its own: one shard, no replica), DescribeReplicationGroups while it is modifying (PendingModifiedValues),
 * and AWS's refusal of a second change while one is under way.
 */
async function driveResharding(cloud: LocalCloud): Promise<void> {
  const ec = elastiCacheClient(cloud);
  const group = await ClusterGroup.start({
    id: 'conformance-shards',
    shards: 1,
    replicas: 0,
    detectionDelayMs: 0,
    graceful: false,
  });
  try {
    cloud.elastiCache.addGroup(group);
    const modify = { ReplicationGroupId: group.id, NodeGroupCount: 2, ApplyImmediately: true };
    await ec.send(new ModifyReplicationGroupShardConfigurationCommand(modify));
    await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: group.id }));
    await either(ec.send(new ModifyReplicationGroupShardConfigurationCommand(modify)));
    await cloud.idle();
    await either(ec.send(new ModifyReplicationGroupShardConfigurationCommand(modify)));
  } finally {
    await group.stop();
    ec.destroy();
  }
}

/**
 * ModifyReplicationGroup (a scale, then an engine upgrade) on a small group of its own (no replica):
 * DescribeReplicationGroups while its nodes are replaced, a second change refused while one is under way,
 * and AWS's refusals of a change that changes nothing.
 */
async function driveNodeReplacement(cloud: LocalCloud): Promise<void> {
  const ec = elastiCacheClient(cloud);
  const group = await PrimaryReplicaGroup.start({
    id: 'conformance-nodes',
    replicas: 0,
    replicationLagMs: 0,
    detectionDelayMs: 0,
    graceful: false,
  });
  try {
    cloud.elastiCache.addGroup(group);
    const scale = { ReplicationGroupId: group.id, CacheNodeType: 'cache.r7g.large', ApplyImmediately: true };
    await ec.send(new ModifyReplicationGroupCommand(scale));
    await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: group.id }));
    await either(ec.send(new ModifyReplicationGroupCommand(scale)));
    await cloud.idle();
    await either(ec.send(new ModifyReplicationGroupCommand(scale)));
    await either(
      ec.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: group.id, EngineVersion: '1.0' })),
    );
    await ec.send(
      new ModifyReplicationGroupCommand({
        ReplicationGroupId: group.id,
        EngineVersion: '99.0',
        ApplyImmediately: true,
      }),
    );
    await cloud.idle();
  } finally {
    await group.stop();
    ec.destroy();
  }
}

/** A drive on a group of its own, added to the local cloud for it, and stopped afterwards. */
async function onGroupOfItsOwn<G extends LocalGroup>(
  cloud: LocalCloud,
  start: Promise<G>,
  drive: (ec: ElastiCacheClient, group: G) => Promise<void>,
): Promise<void> {
  const ec = elastiCacheClient(cloud);
  const group = await start;
  try {
    cloud.elastiCache.addGroup(group);
    await drive(ec, group);
  } finally {
    await group.stop();
    ec.destroy();
  }
}

/**
 * IncreaseReplicaCount then DecreaseReplicaCount on a small group of its own (one replica): the group
 * while it changes, a second change refused while one is under way, and AWS's refusals of a bad count.
 */
function driveReplicaCount(cloud: LocalCloud): Promise<void> {
  const start = PrimaryReplicaGroup.start({
    id: 'conformance-replicas',
    replicas: 1,
    replicationLagMs: 0,
    detectionDelayMs: 0,
    graceful: false,
  });
  return onGroupOfItsOwn(cloud, start, async (ec, group) => {
    const to = (NewReplicaCount: number) => ({
      ReplicationGroupId: group.id,
      NewReplicaCount,
      ApplyImmediately: true,
    });
    await ec.send(new IncreaseReplicaCountCommand(to(2)));
    await ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: group.id }));
    await either(ec.send(new DecreaseReplicaCountCommand(to(1))));
    await cloud.idle();
    await either(ec.send(new IncreaseReplicaCountCommand(to(6))));
    await either(ec.send(new IncreaseReplicaCountCommand(to(2))));
    await either(ec.send(new DecreaseReplicaCountCommand(to(0))));
    await either(ec.send(new DecreaseReplicaCountCommand({ ...to(1), ReplicationGroupId: 'nope' })));
    await ec.send(new DecreaseReplicaCountCommand(to(1)));
    await cloud.idle();
  });
}

/** ElastiCache's calls on groups of their own (resharding, node replacement, replica count): nothing of the cloud's group. */
export async function driveElastiCacheAside(cloud: LocalCloud): Promise<void> {
  await Promise.all([driveResharding(cloud), driveNodeReplacement(cloud), driveReplicaCount(cloud)]);
}

export async function driveSns(cloud: LocalCloud): Promise<void> {
  const sns = snsClient(cloud);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'conformance' }));
  await either(sns.send(new CreateTopicCommand({ Name: 'not a name' })));
  await sns.send(
    new PublishCommand({
      TopicArn,
      Subject: 'drill',
      Message: '{"verdict":"pass"}',
      MessageAttributes: { verdict: { DataType: 'String', StringValue: 'pass' } },
    }),
  );
  await either(sns.send(new PublishCommand({ TopicArn: `${TopicArn}-absent`, Message: 'x' })));
  await either(sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(256 * 1024 + 1) })));
  sns.destroy();
}

export async function driveStepFunctions(cloud: LocalCloud): Promise<void> {
  const sfn = new SFNClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  const stateMachineArn = cloud.stateMachineArn;
  await sfn.send(new ListStateMachinesCommand({}));
  await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  await either(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${stateMachineArn}-absent` })));
  await either(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })));
  // A refused drill (no such group): Preflight fails, Cleanup and Report run, the execution fails.
  const refused = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: 'refused',
      input: JSON.stringify({ replicationGroupId: 'absent' }),
    }),
  );
  await either(
    sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'refused', input: '{"other":1}' })),
  );
  await either(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'bad name!' })));
  await either(sfn.send(new StartExecutionCommand({ stateMachineArn, input: 'not json' })));
  // The stop-fault state machine (EXPRESS) as the reaper runs it: synchronously, on a template FIS does not
  // know (nothing to stop, the template already gone: SUCCEEDED); StartSyncExecution on a STANDARD machine
  // and ListExecutions on an EXPRESS one are refused. StartSyncExecution's host prefix (sync-) is not added
  // to a configured endpoint, as the reaper's client does (functions/shared/aws.ts).
  const sync = new SFNClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
    disableHostPrefix: true,
  });
  const faultStop = cloud.faultStopStateMachineArn;
  await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: faultStop }));
  await sync.send(
    new StartSyncExecutionCommand({
      stateMachineArn: faultStop,
      input: JSON.stringify({ templateId: 'EXTabsent' }),
    }),
  );
  await sync.send(new StartSyncExecutionCommand({ stateMachineArn: faultStop, input: '{}' })); // FAILED, still a 200
  await either(sync.send(new StartSyncExecutionCommand({ stateMachineArn, input: '{}' })));
  await either(sfn.send(new ListExecutionsCommand({ stateMachineArn: faultStop })));
  sync.destroy();
  // A fleet of one: its Maps, and the drill as a nested startExecution.sync:2 (Task* events, not Lambda's).
  const fleet = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: cloud.fleetStateMachineArn,
      name: 'fleet',
      input: JSON.stringify({
        targets: [{ replicationGroupId: cloud.groupId }],
        drill: { writer: LOCAL_DEFAULT_INPUT.writer, recovery: LOCAL_DEFAULT_INPUT.recovery },
      }),
    }),
  );
  await cloud.stepFunctions.drain();
  // A drill stopped while it runs.
  const stopped = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: 'stopped',
      input: JSON.stringify({ replicationGroupId: cloud.groupId }),
    }),
  );
  await sfn.send(
    new StopExecutionCommand({
      executionArn: stopped.executionArn,
      error: 'Conformance',
      cause: 'stopped by the suite',
    }),
  );
  await either(
    sfn.send(
      new StopExecutionCommand({
        executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:absent`,
      }),
    ),
  );
  await cloud.stepFunctions.drain();
  for (const executionArn of [refused.executionArn, fleet.executionArn, stopped.executionArn]) {
    await sfn.send(new DescribeExecutionCommand({ executionArn }));
    await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const first = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder: true }),
    );
    await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 3,
        reverseOrder: true,
        nextToken: first.nextToken,
      }),
    );
    await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
  }
  await either(
    sfn.send(new GetExecutionHistoryCommand({ executionArn: refused.executionArn, nextToken: 'forged' })),
  );
  await either(
    sfn.send(
      new DescribeExecutionCommand({
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:failover-drill:absent',
      }),
    ),
  );
  await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
  await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1, nextToken: page.nextToken }));
  await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));
  await either(sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 5000 })));
  sfn.destroy();
}

export async function driveSecretsManager(cloud: LocalCloud): Promise<void> {
  const sm = new SecretsManagerClient({
    endpoint: cloud.endpoint,
    region: cloud.region,
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  const { ARN } = await sm.send(
    new CreateSecretCommand({
      Name: 'conformance/redis',
      Description: 'd',
      SecretString: '{"password":"p"}',
    }),
  );
  await sm.send(new CreateSecretCommand({ Name: 'conformance/empty' }));
  await either(sm.send(new CreateSecretCommand({ Name: 'conformance/redis', SecretString: 'x' })));
  await either(sm.send(new CreateSecretCommand({ Name: 'not a name', SecretString: 'x' })));
  await sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: '{"password":"q"}' }));
  await sm.send(new PutSecretValueCommand({ SecretId: 'conformance/empty', SecretBinary: Buffer.from('b') }));
  await either(sm.send(new PutSecretValueCommand({ SecretId: ARN })));
  await either(sm.send(new PutSecretValueCommand({ SecretId: 'absent', SecretString: 'x' })));
  await sm.send(new GetSecretValueCommand({ SecretId: ARN }));
  await sm.send(new GetSecretValueCommand({ SecretId: 'conformance/redis', VersionStage: 'AWSPREVIOUS' }));
  await sm.send(new GetSecretValueCommand({ SecretId: 'conformance/empty' }));
  await either(sm.send(new GetSecretValueCommand({ SecretId: 'absent' })));
  await either(sm.send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: 'NOPE' })));
  await sm.send(new DescribeSecretCommand({ SecretId: ARN }));
  await either(sm.send(new DescribeSecretCommand({ SecretId: 'absent' })));
  sm.destroy();
}

/** FIS through the AWS CLI v1: a template, an experiment run and one stopped, the faults, the clean-up. */
export async function driveFis(cloud: LocalCloud): Promise<void> {
  const cli = (args: string[]) => awsCli(cloud.endpoint, ['fis', ...args]);
  const created = await cli(
    fisTemplateArgs(cloud, {
      zone: `${cloud.region}a`,
      // Long enough for the CLI's calls on a loaded machine: it is stopped before it ends.
      duration: 'PT10S',
      tags: { 'failover-drill:allowed': 'true' },
    }),
  );
  const templateId = (created.json as { experimentTemplate: { id: string } }).experimentTemplate.id;
  // Calls that depend on no other answer go together: each CLI call is an interpreter's start, seconds on a
  // loaded machine.
  await Promise.all([
    cli(['get-experiment-template', '--id', templateId]),
    cli(['get-experiment-template', '--id', 'EXTnope']),
    cli([
      'create-experiment-template',
      '--cli-input-json',
      '{"description":"x","stopConditions":[],"actions":{},"roleArn":"arn:aws:iam::000000000000:role/fis"}',
    ]),
    cli(['get-experiment', '--id', 'EXPnope']),
  ]);
  const started = await cli(['start-experiment', '--experiment-template-id', templateId]);
  const id = (started.json as { experiment: { id: string } }).experiment.id;
  await cli(['get-experiment', '--id', id]);
  await cli(['stop-experiment', '--id', id]);
  await cli(['list-experiments', '--experiment-template-id', templateId]);
  await cloud.fis.idle();
  await cloud.idle();
  await Promise.all([cli(['get-experiment', '--id', id]), cli(['stop-experiment', '--id', id])]);
  await cli(['delete-experiment-template', '--id', templateId]);
  await cli(['delete-experiment-template', '--id', templateId]);
}
