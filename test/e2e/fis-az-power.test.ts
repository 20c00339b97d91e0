/**
 * Fault source fis-az-power, whole drills through the real state machine on one local cloud: its
 * aws-sdk:fis:* Tasks run against the local FIS, which powers off every node of the zone in a local group of
 * real redis-server processes for the experiment's duration; on a failure path the state machine (the
 * Parallel's Catch) stops the experiment and deletes its template, and for an execution stopped from
 * outside (StopExecution) the reaper does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeReplicationGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-elasticache';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { RestJsonFault } from '../../local/protocols/rest-json.js';
import {
  drillStateMachine,
  type ExecutionOutcome,
  startExecution,
} from '../../local/stepfunctions/runner.js';
import { elastiCacheClient, redisClient, useLocalCloud } from '../support/local-cloud.js';

const DURATION_MS = 4000;

interface Report {
  verdict: string;
  failoverTriggered: boolean;
  writes: { lost: number; acknowledged: number };
  downtime: { ms: number };
  failover: { from: string; to: string; events: { kind: string; atEpochMs: number; message?: string }[] };
  drill: { fault: string };
  error?: { name: string };
  cleanup: { errors: unknown[]; lockReleased: boolean };
}

describe('a local drill with fault fis-az-power', () => {
  const local = useLocalCloud();

  const drill = async (name: string, duration: string) => {
    const outcome: ExecutionOutcome = await startExecution(
      drillStateMachine(local.cloud.machineOptions),
      { ...LOCAL_DEFAULT_INPUT, fault: { source: 'fis-az-power', duration } },
      { executionName: name },
    ).outcome;
    const report = (outcome.outputs.Report as { report: Report }).report;
    const template = (
      outcome.outputs.CreateExperimentTemplate as { plan: { fis: { template: { id: string } } } }
    ).plan.fis.template.id;
    return { outcome, report, template };
  };

  it('powers off the primary’s zone for the duration: a replica elsewhere promoted, downtime measured, nothing lost, the template gone', async () => {
    // Prepare
    const primary = local.cloud.group.nodeGroups[0]!.nodes.find((n) => n.role === 'primary')!.id;

    // Act
    const { outcome, report, template } = await drill('fis-pass', `PT${DURATION_MS / 1000}S`);

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    expect(report).toMatchObject({
      verdict: 'pass',
      failoverTriggered: true,
      writes: { lost: 0 },
      drill: { fault: 'fis-az-power' },
      cleanup: { errors: [], lockReleased: true },
    });
    expect(report.writes.acknowledged).toBeGreaterThan(1000);
    expect(report.downtime.ms).toBeGreaterThan(0);
    expect(report.downtime.ms).toBeLessThan(DURATION_MS);
    expect(report.failover.from).toBe(primary);
    expect(report.failover.to).not.toBe(primary);
    // Exactly the zone's node lost power, and came back only once the duration was over.
    expect(local.cloud.fis.list()).toEqual([
      expect.objectContaining({ status: 'completed', members: [primary] }),
    ]);
    const at = (kind: string) => report.failover.events.find((e) => e.kind === kind)?.atEpochMs ?? 0;
    expect(report.failover.events.find((e) => e.kind === 'requested')?.message).toMatch(/FIS experiment/);
    expect(at('recovering') - at('requested')).toBeGreaterThanOrEqual(DURATION_MS - 50);
    expect(at('recoveryFinished')).toBeGreaterThanOrEqual(at('recovering'));
    await expect(local.cloud.fis.call('GetExperimentTemplate', { id: template })).rejects.toBeInstanceOf(
      RestJsonFault,
    );
  }, 60_000);

  it('stops the experiment when the drill fails while the zone is powered off, and deletes the template', async () => {
    // Prepare: the control plane refuses to describe the experiment once it runs
    const call = local.cloud.fis.call.bind(local.cloud.fis);
    local.cloud.fis.call = async (operation, members) => {
      if (operation === 'GetExperiment')
        throw new RestJsonFault('ValidationException', 400, 'injected: GetExperiment refused');
      return call(operation, members);
    };
    const started = Date.now();

    // Act
    const { outcome, report, template } = await drill('fis-stopped', 'PT50S').finally(() => {
      local.cloud.fis.call = call;
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(report).toMatchObject({
      verdict: 'error',
      error: { name: 'Fis.ValidationException' },
      cleanup: { errors: [], lockReleased: true },
    });
    const experiment = local.cloud.fis.list().at(-1);
    expect(experiment?.status).toBe('stopped');
    // Power came back with the stop, long before the 50 s the experiment would have run.
    await local.cloud.fis.idle();
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(local.cloud.group.nodeGroups[0]!.nodes.filter((n) => n.role === 'primary')).toHaveLength(1);
    await expect(local.cloud.fis.call('GetExperimentTemplate', { id: template })).rejects.toBeInstanceOf(
      RestJsonFault,
    );
  }, 60_000);

  it('an execution stopped while the zone is powered off: the reaper stops the experiment within seconds, then cleans up', async () => {
    // Prepare
    const { cloud } = local;
    const sfn = new SFNClient({
      endpoint: cloud.endpoint,
      region: cloud.region,
      credentials: cloud.credentials,
    });
    const before = new Set(cloud.fis.list().map((e) => e.id));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachineArn,
        name: 'fis-abandoned',
        input: JSON.stringify({
          ...LOCAL_DEFAULT_INPUT,
          fault: { source: 'fis-az-power', duration: 'PT50S' },
        }),
      }),
    );
    const ours = () => cloud.fis.list().find((e) => !before.has(e.id));
    const deadline = Date.now() + 40_000;
    while (ours()?.status !== 'running' && Date.now() < deadline) await sleep(50);
    expect(ours()?.status).toBe('running');
    const stoppedAt = Date.now();

    // Act: an operator stops the drill; no Catch of the state machine runs
    await sfn.send(new StopExecutionCommand({ executionArn }));
    await cloud.delivered();
    await cloud.fis.idle();
    const powerBackMs = Date.now() - stoppedAt;
    sfn.destroy();

    // Assess
    expect(ours()?.status).toBe('stopped');
    // Power back in seconds, not after the 50 s the experiment would have run.
    expect(powerBackMs).toBeLessThan(20_000);
    expect(cloud.fis.list().filter((e) => e.status === 'running')).toEqual([]);
    const { experiments } = (await cloud.fis.call('ListExperiments', {})) as {
      experiments: { id: string; experimentTemplateId: string }[];
    };
    const template = experiments.find((e) => e.id === ours()?.id)!.experimentTemplateId;
    await expect(cloud.fis.call('GetExperimentTemplate', { id: template })).rejects.toBeInstanceOf(
      RestJsonFault,
    );
    const redis = redisClient(cloud.group.primaryEndpoint!);
    try {
      await redis.connect();
      expect(await redis.keys('failover-drill:fis-abandoned:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const elastiCache = elastiCacheClient(cloud);
    const { ReplicationGroups } = await elastiCache.send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: cloud.groupId }),
    );
    const tags = await elastiCache.send(
      new ListTagsForResourceCommand({ ResourceName: ReplicationGroups![0]!.ARN }),
    );
    expect(tags.TagList?.map((t) => t.Key)).not.toContain('failover-drill:lock');
  }, 90_000);
});
