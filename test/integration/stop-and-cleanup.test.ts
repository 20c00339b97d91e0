import { afterEach, describe, expect, it } from 'vitest';
import { handler as cleanupHandler } from '../../functions/cleanup/handler.js';
import type { DrillPlan } from '../../functions/core/drill/plan.js';
import { parseDrillRequest } from '../../functions/core/drill/request.js';
import { haltMarkerKey } from '../../functions/core/measure/halt-marker.js';
import type { WriterSummary } from '../../functions/core/measure/summary.js';
import { handler as writeHandler } from '../../functions/write/handler.js';
import { lambdaContext } from '../../local/lambda/context.js';
import { RedisServer } from '../../local/redis/server.js';

const started: RedisServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function planFor(server: RedisServer, runId: string): DrillPlan {
  return {
    runId,
    request: parseDrillRequest({
      replicationGroupId: 'grp',
      writer: { rate: 500, baselineSeconds: 1, settleSeconds: 1, maxDurationSeconds: 60 },
    }),
    target: {
      replicationGroupId: 'grp',
      arn: 'arn:aws:elasticache:us-east-1:000000000000:replicationgroup:grp',
      nodeGroupId: '0001',
      clusterMode: false,
      endpoint: server.endpoint,
      tls: false,
      primaryNodeId: 'grp-001',
      replicaNodeIds: ['grp-002'],
      slots: [],
    },
    acceptedAt: Date.now(),
    lock: `${runId}@1`,
  };
}

const runKeys = async (server: RedisServer, runId: string) =>
  ((await server.call('KEYS', `failover-drill:${runId}:*`)) as string[]).length;

describe('the halt marker and Cleanup on a failed drill', () => {
  it('a writer that starts after Cleanup asked it to stop writes nothing', async () => {
    // Prepare
    const server = await RedisServer.start({ name: 'stop' });
    started.push(server);
    const plan = planFor(server, 'late-writer');
    await server.call('SET', haltMarkerKey('failover-drill', 'late-writer'), '1', 'EX', 60);

    // Act
    const error = await writeHandler({ plan }, lambdaContext('WriteFunction', 900_000)).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ name: 'DrillStoppedError' });
    expect(await runKeys(server, 'late-writer')).toBe(0);
  });

  it('Cleanup without the writer output stops the running writer, then leaves no key of the run', async () => {
    // Prepare
    const server = await RedisServer.start({ name: 'cleanup' });
    started.push(server);
    const plan = planFor(server, 'abandoned');
    const writing = writeHandler({ plan }, lambdaContext('WriteFunction', 900_000)) as Promise<WriterSummary>;
    while ((await runKeys(server, 'abandoned')) < 100) await new Promise((r) => setTimeout(r, 20));

    // Act: the failure path — the Parallel state failed, so Cleanup gets the plan but no results.
    const cleaned = (await cleanupHandler(
      { execution: 'abandoned', plan },
      lambdaContext('CleanupFunction', 300_000),
    )) as {
      deleted: number;
    };
    const summary = await writing;

    // Assess
    expect(summary.stopReason).toBe('aborted');
    // Every acknowledged write was there to delete; an indeterminate one may or may not have landed.
    expect(cleaned.deleted).toBeGreaterThanOrEqual(summary.acknowledged);
    expect(cleaned.deleted).toBeLessThanOrEqual(summary.acknowledged + summary.indeterminate);
    expect(await runKeys(server, 'abandoned')).toBe(0);
  });
});
