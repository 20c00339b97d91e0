/**
 * Fault source replicas, whole drills through the real state machine on one local cloud: IncreaseReplicaCount
 * then DecreaseReplicaCount start and stop real redis-server replicas while the writers run, AwaitRecovery
 * follows each change until every node group has the new count, and the report's change says so. The servers'
 * INFO replication is the injected truth the report is held to. Bad input is refused by name, exit 2.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { drillStateMachine, startExecution } from '../../local/stepfunctions/runner.js';
import { redisClient, useLocalCloud } from '../support/local-cloud.js';
import { runCli } from '../support/run-cli.js';

interface Report {
  run: { durationMs: number; stopReason: string };
  writes: { lost: number; unexpected: number; acknowledged: number };
  change: {
    source: string;
    requested: Record<string, number>;
    finishedMs: number | null;
    before: { nodeGroups: { replicas?: number }[] };
    after: { nodeGroups: { replicas?: number }[] } | null;
  };
}

/**
 * Nothing fails over, so the writer sees no disruption to settle after: it stops settleSeconds after the
 * change-finished marker (the ChangeFinished step), not at maxDurationSeconds, kept at the local default
 * (60 s) to show it.
 */
const SHORT = LOCAL_DEFAULT_INPUT;

describe('a local drill with fault replicas', () => {
  const local = useLocalCloud({ replicas: 1 });

  /** `ask` of every node of the group, each on a connection of its own. */
  const onEveryNode = <T>(ask: (client: ReturnType<typeof redisClient>) => Promise<T>) =>
    Promise.all(
      local.cloud.group.nodeGroups[0]!.nodes.map(async (node) => {
        const client = redisClient(node);
        try {
          await client.connect();
          return await ask(client);
        } finally {
          client.disconnect();
        }
      }),
    );

  /** What the servers say: the primary's connected replicas, and each replica's role and link. */
  const replication = async () => {
    const infos = await onEveryNode(async (client) => {
      const text = (await client.info('replication')) as string;
      return Object.fromEntries(text.split('\r\n').map((line) => line.split(':')));
    });
    const primary = infos.filter((i) => i.role === 'master');
    return {
      primaries: primary.length,
      connectedReplicas: Number(primary[0]?.connected_slaves),
      replicasLinked: infos.filter((i) => i.role === 'slave' && i.master_link_status === 'up').length,
    };
  };

  /** The change-finished markers any node still holds (Cleanup deletes them by name). */
  const changeMarkers = async () => (await onEveryNode((client) => client.keys('*:changed:*'))).flat();

  const drill = async (newReplicaCount: number) => {
    const input = { ...SHORT, fault: { source: 'replicas', newReplicaCount } };
    const outcome = await startExecution(drillStateMachine(local.cloud.machineOptions), input, {
      executionName: `replicas-${newReplicaCount}`,
    }).outcome;
    return { outcome, report: (outcome.outputs.Report as { report: Report }).report };
  };

  it.concurrent('1 → 2 then 2 → 1 under writes: nothing lost, the servers have the count the report says', async () => {
    // Prepare
    const before = await replication();

    // Act
    const up = await drill(2);
    const afterUp = await replication();
    const down = await drill(1);
    const afterDown = await replication();
    const markersLeft = await changeMarkers();

    // Assess
    expect(before).toEqual({ primaries: 1, connectedReplicas: 1, replicasLinked: 1 });
    for (const [{ outcome, report }, from, to] of [
      [up, 1, 2],
      [down, 2, 1],
    ] as const) {
      expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
      expect(report.change).toMatchObject({
        source: 'replicas',
        requested: { newReplicaCount: to },
        before: { nodeGroups: [{ replicas: from }] },
        after: { nodeGroups: [{ replicas: to }] },
      });
      expect(report.change.finishedMs).toBeGreaterThan(0);
      // The writer starts after Preflight's acceptance and T0 is a baseline (2 s) after it: the change was
      // applied while the writer still wrote.
      // It stopped on the change's end: a settle time (2 s) after it, far from the 60 s cap.
      expect(report.run.stopReason).toBe('changeFinished');
      expect(report.change.finishedMs!).toBeLessThan(report.run.durationMs - 2000);
      expect(report.run.durationMs).toBeLessThan(SHORT.writer.maxDurationSeconds * 1000 - 30_000);
      expect(report.writes).toMatchObject({ lost: 0, unexpected: 0 });
      expect(report.writes.acknowledged).toBeGreaterThan(0);
    }
    expect(afterUp).toEqual({ primaries: 1, connectedReplicas: 2, replicasLinked: 2 });
    expect(afterDown).toEqual({ primaries: 1, connectedReplicas: 1, replicasLinked: 1 });
    expect(markersLeft).toEqual([]);
  }, 120_000);

  it.concurrent('refuses a count AWS refuses by name, exit 2, before anything changes', async () => {
    // Prepare
    const dir = local.dir;
    const inputs = { six: 6, none: 0 };
    const files = await Promise.all(
      Object.entries(inputs).map(async ([name, newReplicaCount]) => {
        const file = join(dir, `replicas-${name}.json`);
        await writeFile(file, JSON.stringify({ ...SHORT, fault: { source: 'replicas', newReplicaCount } }));
        return file;
      }),
    );

    // Act: a schema's refusal, then a guardrail's (the local group fails over automatically: AWS keeps a replica).
    // Each CLI inherits AWS_LAMBDA_MAX_CONCURRENCY once this worker has run a function; set here, not by chance:
    // before the local runtime installed its store ahead of INIT, it came back `Error: InvokeStore is not available`.
    const inherited = { AWS_LAMBDA_MAX_CONCURRENCY: '64' };
    const [six, none] = await Promise.all(files.map((file) => runCli(['local', '--input', file], inherited)));

    // Assess
    expect(six!.code, six!.stderr).toBe(2);
    expect(six!.json).toMatchObject({ verdict: 'error', error: { name: 'DrillInputError' } });
    expect(six!.json.error?.message).toMatch(/newReplicaCount/);
    expect(none!.code, none!.stderr).toBe(2);
    expect(none!.json.error, none!.stderr.slice(-3000)).toMatchObject({
      name: 'GuardrailError',
      message: expect.stringMatching(/replica-needed/),
    });
    expect(none!.json).toMatchObject({
      verdict: 'error',
      failoverTriggered: false,
      writes: { attempted: 0 },
    });
    expect((none!.json as { change?: unknown }).change).toBeUndefined();
  }, 60_000);
});
