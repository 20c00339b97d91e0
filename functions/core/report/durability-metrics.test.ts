/** CloudWatch's durability metrics as the report reads them from GetMetricData's results: pure, no server. */
import { describe, expect, it } from 'vitest';
import { durabilityMetricsOf } from './durability-metrics.js';

const minute = (n: number) => new Date(Date.UTC(2026, 11, 7, 0, n));

describe('durabilityMetricsOf', () => {
  it('takes the lag at the fault from the period that holds it, the max and the sum over the window', () => {
    // Prepare: CloudWatch answers newest first; the fault comes 30 s into minute 2
    const results = [
      { Id: 'lag', Timestamps: [minute(3), minute(2), minute(1)], Values: [40, 9_800, 120] },
      { Id: 'exceeded', Timestamps: [minute(3), minute(2)], Values: [0, 37] },
      { Id: 'traffic', Timestamps: [minute(2)], Values: [1] },
    ];

    // Act
    const metrics = durabilityMetricsOf(results, minute(2).getTime() + 30_000);

    // Assess
    expect(metrics).toEqual({
      durabilityLagMaxMs: 9_800,
      durabilityLagAtFaultMs: 9_800,
      bufferExceededErrors: 37,
      trafficManagementActiveMax: 1,
    });
  });

  it('says null where no datapoint was published, and for the fault when there was none', () => {
    // Act
    const metrics = durabilityMetricsOf([{ Id: 'lag', Timestamps: [minute(1)], Values: [0] }], null);

    // Assess
    expect(metrics).toEqual({
      durabilityLagMaxMs: 0,
      durabilityLagAtFaultMs: null,
      bufferExceededErrors: null,
      trafficManagementActiveMax: null,
    });
  });
});
