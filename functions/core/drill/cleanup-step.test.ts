/**
 * What Cleanup deletes when the drill failed before the Write step returned its records: the probe's and
 * each writer-beside's key space, and a bound on their sequence numbers. Pure: no server.
 */
import { describe, expect, it } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { sequenceBound } from '../measure/cleanup.js';
import { DEFAULT_PROFILE_RATE } from '../measure/clients/profile-keys.js';
import { WRITER_DEFAULTS } from '../measure/defaults.js';
import { keyFor, keySlot } from '../measure/keys.js';
import { probeTargetWithoutSummary, profileTargetsWithoutSummary, runMsOf } from './cleanup-step.js';

const clusterTarget = {
  clusterMode: true,
  slots: [[0, 8191]] as [number, number][],
  shards: [
    { nodeGroupId: '0001', slots: [[0, 8191]] as [number, number][] },
    { nodeGroupId: '0002', slots: [[8192, 16383]] as [number, number][] },
  ],
};

describe('Cleanup without the Write step records', () => {
  it('bounds the run by the time since acceptance plus the skew, at most the writer cap', () => {
    // Prepare
    const plan = planFixture({ writer: { maxDurationSeconds: 60 } }, { acceptedAt: 1_000 });
    // Act
    const early = runMsOf(plan, 21_000);
    const late = runMsOf(plan, 10_000_000);
    // Assess
    expect(early).toBe(30_000); // 20 s since acceptance and 10 s of skew
    expect(late).toBe(60_000);
  });

  it("names the probe's key base and bounds its sequence numbers by the writer defaults", () => {
    // Prepare
    const plan = planFixture({}, { acceptedAt: 1_000 });
    // Act
    const target = probeTargetWithoutSummary(plan, 21_000);
    // Assess
    expect(target).toEqual({
      keyBase: 'failover-drill:run-1',
      slot: null,
      seqsBelow: sequenceBound({
        rate: WRITER_DEFAULTS.rate,
        concurrency: WRITER_DEFAULTS.concurrency,
        runMs: 30_000,
      }),
    });
  });

  it('has nothing beside the probe without profiles in a single shard', () => {
    // Prepare
    const plan = planFixture();
    // Act
    const targets = profileTargetsWithoutSummary(plan, 21_000);
    // Assess
    expect(targets).toEqual([]);
  });

  it('names each profile and shard writer in the slot its keys are written to', () => {
    // Prepare
    const plan = planFixture({ clients: ['ioredis-defaults'] }, { acceptedAt: 1_000 });
    plan.target = { ...plan.target, ...clusterTarget };
    // Act
    const targets = profileTargetsWithoutSummary(plan, 21_000);
    // Assess
    expect(targets.map((t) => t.keyBase)).toEqual([
      expect.stringContaining('run-1.c-ioredis-defaults'),
      expect.stringContaining('run-1.c-shard-0001'),
      expect.stringContaining('run-1.c-shard-0002'),
    ]);
    for (const target of targets) {
      expect(target.slot).toBe(keySlot(keyFor(target.keyBase, 0)));
      expect(target.seqsBelow).toBe(
        sequenceBound({ rate: DEFAULT_PROFILE_RATE, concurrency: 0, runMs: 30_000 }),
      );
    }
    expect(targets[0]?.slot).toBeLessThanOrEqual(8191); // the profile writes in the target shard
    expect(targets[2]?.slot).toBeGreaterThanOrEqual(8192); // each shard writer in its own shard
  });
});
