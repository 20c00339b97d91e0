/**
 * Fault source scale, a whole drill through the real state machine on one local cloud: ModifyReplicationGroup
 * replaces every node of the local group (new redis-servers sync, FAILOVER to the new primary, the old
 * ones stopped), AwaitRecovery follows the change until the group is available with the new node type,
 * and the report tells the change and what each client met during it.
 */
import { describe, expect, it } from 'vitest';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { drillStateMachine, startExecution } from '../../local/stepfunctions/runner.js';
import { useLocalCloud } from '../support/local-cloud.js';

interface Report {
  writes: { lost: number; unexpected: number; acknowledged: number };
  change: {
    source: string;
    requested: Record<string, string>;
    finishedMs: number | null;
    before: { cacheNodeType?: string };
    after: { cacheNodeType?: string } | null;
    redirections: { client: string; countedFrom: string; byKind: Record<string, { count: number }> }[];
  };
  clients: { name: string; writes: { lost: number }; redirections: { countedFrom: string } }[];
}

describe('a local drill with fault scale', () => {
  const local = useLocalCloud();

  it('replaces every node: the change followed to its end, nothing lost, what each client met reported', async () => {
    // Prepare
    const input = {
      ...LOCAL_DEFAULT_INPUT,
      fault: { source: 'scale', cacheNodeType: 'cache.r7g.large' },
      clients: ['ioredis-defaults'],
    };

    // Act
    const outcome = await startExecution(drillStateMachine(local.cloud.machineOptions), input, {
      executionName: 'scale',
    }).outcome;
    const report = (outcome.outputs.Report as { report: Report }).report;

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    expect(report.change).toMatchObject({
      source: 'scale',
      requested: { cacheNodeType: 'cache.r7g.large' },
      before: { cacheNodeType: 'cache.t4g.micro' },
      after: { cacheNodeType: 'cache.r7g.large' },
    });
    expect(report.change.finishedMs).toBeGreaterThan(0);
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0 });
    expect(report.clients.map((c) => [c.name, c.writes.lost, c.redirections.countedFrom])).toEqual([
      ['ioredis-defaults', 0, 'surfaced'],
    ]);
    expect(report.change.redirections.map((r) => r.client)).toEqual(['probe', 'ioredis-defaults']);
    // Between the old primary's demotion and the endpoint's move, writes meet READONLY or a closed connection.
    const probe = report.change.redirections[0]!.byKind;
    expect((probe.READONLY?.count ?? 0) + (probe.CONNECTION_CLOSED?.count ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
