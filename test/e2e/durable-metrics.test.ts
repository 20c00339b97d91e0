/**
 * CloudWatch's durability metrics in a durable drill's report (issue 23), end to end on one local cloud: the
 * ASL's ReadDurabilityMetrics Task (aws-sdk:cloudwatch:getMetricData) asks the local CloudWatch, which
 * serves what the async log emulation published, and the report reads them beside its own figures.
 * Injected truth: a 500 ms replication lag against a 200 ms buffer stalls the log all drill long, and the
 * emulation's own count of the writes its primary rejected.
 */
import { describe, expect, it } from 'vitest';
import type { DrillReport } from '../../functions/core/report/drill-report.js';
import { LOCAL_DEFAULT_INPUT } from '../../local/drill.js';
import { drillStateMachine, startExecution } from '../../local/stepfunctions/runner.js';
import { useLocalCloud } from '../support/local-cloud.js';

const BUFFER_MS = 200;

describe('a local async drill with a stalled log', () => {
  const local = useLocalCloud({ durability: 'async', replicationLagMs: 500, durabilityBufferMs: BUFFER_MS });

  it('reports CloudWatch’s rejected writes and lag as the emulation published them, beside its own', async () => {
    // Prepare: a short writer; the stall outlasts it, so the drill ends at the writer's cap
    const primary = local.cloud.group.nodeGroups[0]!.nodes.find((n) => n.role === 'primary')!.id;
    const startedAt = Date.now();
    const input = {
      ...LOCAL_DEFAULT_INPUT,
      writer: { ...LOCAL_DEFAULT_INPUT.writer, settleSeconds: 1, maxDurationSeconds: 8 },
    };

    // Act
    const outcome = await startExecution(drillStateMachine(local.cloud.machineOptions), input, {
      executionName: 'durable-metrics',
    }).outcome;
    const report = (outcome.outputs.Report as { report: DrillReport }).report;
    const published = local.cloud.elastiCache
      .durabilitySeconds('DurabilityBufferExceededErrorCount', primary, startedAt, Date.now())!
      .reduce((sum, p) => sum + p.value, 0);

    // Assess: the metric is every rejection the primary made — the probe's, and Cleanup's retried deletes
    const durability = report.durability!;
    expect(durability.rejectedWrites.count).toBeGreaterThan(100);
    expect(durability.metrics).toMatchObject({
      bufferExceededErrors: published,
      // The gate was shut (writes throttled) while the log stalled.
      trafficManagementActiveMax: 1,
    });
    expect(durability.metrics!.bufferExceededErrors).toBeGreaterThanOrEqual(durability.rejectedWrites.count);
    // The log stalled past the buffer, at the fault too.
    expect(durability.metrics!.durabilityLagMaxMs).toBeGreaterThan(BUFFER_MS);
    expect(durability.metrics!.durabilityLagAtFaultMs).toBeGreaterThan(0);
    // What an async group loses here depends on whether the gate was open when the primary died (it rejects
    // while the log is past its buffer): no count is injected, only the promise is judged.
    expect(durability.kept).toBe(true);
  });
});
