/** The probe writer's settings from a plan: where it writes, when it arms and when it must have started. */
import { describe, expect, it } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { WRITER_START_WINDOW_MS, writerOptions } from './writer-options.js';

describe('writerOptions', () => {
  it('arms half a baseline after its own start and must start within the whole baseline', () => {
    // Prepare
    const plan = planFixture({ writer: { baselineSeconds: 100 } }, { acceptedAt: 1_000_000 });
    // Act
    const options = writerOptions(plan);
    // Assess
    expect(options).toMatchObject({
      runId: 'run-1',
      endpoint: 'redis://127.0.0.1:6379',
      cluster: false,
      pin: undefined,
      baselineMs: 50_000,
      startByEpochMs: 1_100_000,
    });
    // The fault branch waits for the probe's start, so the drill's clock no longer moves its arming.
    expect(options.armAtEpochMs).toBeUndefined();
  });

  it('allows a short baseline the start window of a loaded machine', () => {
    // Prepare
    const plan = planFixture({ writer: { baselineSeconds: 2 } }, { acceptedAt: 1_000_000 });
    // Act
    const options = writerOptions(plan);
    // Assess
    expect(options.baselineMs).toBe(1_000);
    expect(options.startByEpochMs).toBe(1_000_000 + WRITER_START_WINDOW_MS);
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
