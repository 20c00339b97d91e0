import { describe, expect, it } from 'vitest';
import type { PastDrill, ReportStore } from '../../shared/report-store.js';
import type { FleetPlan } from '../drill/fleet.js';
import { renderFleetHtml } from './fleet-html.js';
import { fleetReport, worstVerdict } from './fleet-report.js';

/** A store holding the given reports by run id. */
function storeWith(reports: Record<string, unknown>): ReportStore {
  return {
    save: async () => ({ json: 'x', html: 'y' }),
    locate: () => ({ json: 'x', html: 'y' }),
    load: async (runId) => reports[runId],
    record: async () => {},
    pastDrills: async (): Promise<PastDrill[]> => [],
  };
}

const target = (group: string, nodeGroupId: string) => ({
  replicationGroupId: group,
  nodeGroupId,
  runId: `fleet-1-${group}-${nodeGroupId}`,
  input: { replicationGroupId: group },
});

const plan: FleetPlan = {
  runId: 'fleet-1',
  acceptedAt: 0,
  maxConcurrency: 2,
  groups: [
    { replicationGroupId: 'a', targets: [target('a', '0001'), target('a', '0002')] },
    { replicationGroupId: 'b', targets: [target('b', '0001')] },
  ],
  refused: [
    {
      replicationGroupId: 'c',
      nodeGroupId: '0001',
      runId: 'fleet-1-c-0001',
      error: { name: 'GuardrailError', guardrail: 'test-failover-budget-spent', message: 'budget' },
    },
  ],
  budget: { limit: 15, usedLast24h: 12, planned: 3 },
};

const drillReport = (verdict: string, lost: number, downtimeMs: number) => ({
  verdict,
  writes: { acknowledged: 1000, lost },
  downtime: { ms: downtimeMs },
  files: { json: 'r.json', html: 'r.html' },
  trend: { previous: 2, regression: null },
});

describe('fleetReport', () => {
  it('a row per target from its stored report; the refused ones as errors; the worst verdict', async () => {
    // Prepare
    const store = storeWith({
      'fleet-1-a-0001': drillReport('pass', 0, 120),
      'fleet-1-a-0002': drillReport('fail', 7, 300),
    });
    const state = {
      request: {},
      execution: 'fleet-1',
      plan,
      results: [
        [
          { runId: 'fleet-1-a-0001', status: 'SUCCEEDED' },
          { runId: 'fleet-1-a-0002', status: 'FAILED', error: { Error: 'States.TaskFailed', Cause: '{}' } },
        ],
        [
          {
            runId: 'fleet-1-b-0001',
            status: 'FAILED',
            // A failed .sync task: the nested execution described, its own error inside.
            error: {
              Error: 'States.TaskFailed',
              Cause: JSON.stringify({ Error: 'GuardrailError', Cause: 'ERROR b/0001: opt-in tag missing' }),
            },
          },
        ],
      ],
    };
    // Act
    const report = await fleetReport(state, store);
    // Assess
    expect(
      report.targets.map((t) => [t.replicationGroupId, t.nodeGroupId, t.verdict, t.writes.lost]),
    ).toEqual([
      ['a', '0001', 'pass', 0],
      ['a', '0002', 'fail', 7],
      ['b', '0001', 'error', 0],
      ['c', '0001', 'error', 0],
    ]);
    expect(report.targets[2]!.error).toEqual({
      name: 'GuardrailError',
      message: 'ERROR b/0001: opt-in tag missing',
    });
    expect(report.targets[3]).toMatchObject({ refused: true, error: { name: 'GuardrailError' } });
    expect(report.targets[0]).toMatchObject({ report: { json: 'r.json' }, trend: { previous: 2 } });
    expect(report).toMatchObject({ verdict: 'error', counts: { pass: 1, fail: 1, error: 2 } });
    expect(report.headline).toBe(
      'ERROR fleet fleet-1: 1 of 4 targets passed, 1 failed, 2 errored; 7 acknowledged writes lost',
    );
    // The page links each target's own report, side by side in the store.
    expect(renderFleetHtml(report)).toContain('href="../fleet-1-a-0001/report.html"');
  });

  it('a refused fleet (the plan refused its input) is an error with the refusal', async () => {
    // Act
    const report = await fleetReport(
      {
        request: {},
        execution: 'fleet-2',
        error: {
          Error: 'FleetInputError',
          Cause: JSON.stringify({ errorMessage: 'unknown-group: no replication group x' }),
        },
      },
      storeWith({}),
    );
    // Assess
    expect(report).toMatchObject({
      verdict: 'error',
      targets: [],
      error: { name: 'FleetInputError', message: 'unknown-group: no replication group x' },
    });
  });

  it('worst of pass < fail < error', () => {
    expect(worstVerdict(['pass', 'fail', 'pass'])).toBe('fail');
    expect(worstVerdict(['pass', 'error', 'fail'])).toBe('error');
    expect(worstVerdict([])).toBe('pass');
  });
});
