/** The probe writer's settings from a plan: where it writes, and when it arms and must have started. */
import { describe, expect, it } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { writerOptions } from './writer-options.js';

describe('writerOptions', () => {
  it('arms half a baseline after the acceptance and must start within the whole baseline', () => {
    // Prepare
    const plan = planFixture({ writer: { baselineSeconds: 10 } }, { acceptedAt: 1_000_000 });
    // Act
    const options = writerOptions(plan);
    // Assess
    expect(options).toMatchObject({
      runId: 'run-1',
      endpoint: 'redis://127.0.0.1:6379',
      cluster: false,
      pin: undefined,
      baselineMs: 5_000,
      armAtEpochMs: 1_005_000,
      startByEpochMs: 1_010_000,
    });
  });

  it("pins the writer to the target shard's slots in cluster mode", () => {
    // Prepare
    const plan = planFixture();
    plan.target = { ...plan.target, clusterMode: true, slots: [[0, 5460]] };
    // Act
    const options = writerOptions(plan);
    // Assess
    expect(options.cluster).toBe(true);
    expect(options.pin).toEqual([[0, 5460]]);
  });
});
