/**
 * Fault source scale, a whole drill through the real state machine on one local cloud: ModifyReplicationGroup
 * replaces every node of the local group (new redis-servers sync, FAILOVER to the new primary, the old
 * ones stopped), AwaitRecovery follows the change until the group is available with the new node type,
 * and the report tells the change and what each client met during it. An engine upgrade replaces them
 * again on the same cloud, and the report tells the version before and after.
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
    before: { cacheNodeType?: string; engineVersion?: string };
    after: { cacheNodeType?: string; engineVersion?: string } | null;
    redirections: { client: string; countedFrom: string; byKind: Record<string, { count: number }> }[];
  };
  clients: { name: string; writes: { lost: number }; redirections: { countedFrom: string } }[];
}

describe('a local drill with fault scale', () => {
  const local = useLocalCloud();

  /** One drill of `fault` through the real state machine; its outcome and report. */
  async function drill(fault: { source: string; [setting: string]: string }, clients: string[] = []) {
    const input = { ...LOCAL_DEFAULT_INPUT, fault, clients };
    const outcome = await startExecution(drillStateMachine(local.cloud.machineOptions), input, {
      executionName: fault.source,
    }).outcome;
    return { outcome, report: (outcome.outputs.Report as { report: Report }).report };
  }

  it('replaces every node: the change followed to its end, nothing lost, what each client met reported', async () => {
    // Prepare
    const fault = { source: 'scale', cacheNodeType: 'cache.r7g.large' };

    // Act
    const { outcome, report } = await drill(fault, ['ioredis-defaults']);

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    expect(report.change).toMatchObject({
      source: 'scale',
      requested: { cacheNodeType: 'cache.r7g.large' },
      before: { cacheNodeType: 'cache.t4g.micro' },
      after: { cacheNodeType: 'cache.r7g.large' },
    });
    // A scale keeps the engine version, and the report says which it was.
    expect(report.change.before.engineVersion).toMatch(/^\d+\.\d+/);
    expect(report.change.after?.engineVersion).toBe(report.change.before.engineVersion);
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

  it('upgrades the engine: the report shows the version before and after', async () => {
    // Prepare
    const fault = { source: 'engine-upgrade', engineVersion: '99.0' };

    // Act
    const { outcome, report } = await drill(fault);

    // Assess
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    // Injected truth: the version asked for is the one the group tells afterwards, and it was not before.
    expect(report.change.requested).toEqual({ engineVersion: '99.0' });
    expect(report.change.before.engineVersion).toMatch(/^\d+\.\d+/);
    expect(report.change.before.engineVersion).not.toBe('99.0');
    expect(report.change.after).toMatchObject({ engineVersion: '99.0', cacheNodeType: 'cache.r7g.large' });
    expect(report.writes).toMatchObject({ lost: 0, unexpected: 0 });
  }, 120_000);
});
