/**
 * The shards checker alone, and the one rule for collateral: a shard not failed over that saw non-ok
 * writes. The report's list and the findings must name the same shards.
 */
import { describe, expect, it } from 'vitest';
import { profileRun, profileVerification, STARTED_AT_EPOCH_MS } from '../../../test/support/report-inputs.js';
import { clientFigures } from '../measure/clients/figures.js';
import { findingsOf } from './findings.js';
import { collateralOf, isCollateral, shardViewsOf } from './shard-views.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

/** A drill that failed over cleanly, as the findings read it. */
const findingsInput = {
  verdict: 'pass' as const,
  disruption: { observed: true },
  writes: { acknowledged: 2000, indeterminate: 0, lost: 0, recovered: 0, indeterminateAbsent: 0 },
  downtime: { ms: 110, complete: true },
  dataLossWindow: { ms: 0, maxAgeAtPromotionMs: null },
  failover: { replicationLagBytes: 0, timeToPromoteMs: 600 },
};

describe('isCollateral', () => {
  it.each([
    ['the failed-over shard, whatever it saw', true, 30, 2, false],
    ['a shard not failed over with failed writes', false, 12, 0, true],
    ['a shard not failed over with indeterminate writes only', false, 0, 1, true],
    ['a shard not failed over whose writes all succeeded', false, 0, 0, false],
  ])('%s: %s', (_, target, failed, indeterminate, expected) => {
    // Prepare
    const shard = { target, writes: { failed, indeterminate } };

    // Act
    const collateral = isCollateral(shard);

    // Assess
    expect(collateral).toBe(expected);
  });

  it('does not call a shard collateral for a wait alone, in the report nor in the findings', () => {
    // Prepare: the case where the findings' old rule (downtime > 0) and the report's disagreed.
    const waited = { nodeGroupId: '0002', target: false, writes: { failed: 0, indeterminate: 0 } };
    const shards = [
      { nodeGroupId: '0001', target: true, writes: { failed: 30, indeterminate: 2 }, downtime: { ms: 110 } },
      { ...waited, downtime: { ms: 60 } },
    ];

    // Act
    const listed = collateralOf(shards);
    const finding = findingsOf({ ...findingsInput, shards }).find((f) => f.id === 'collateral-shards');

    // Assess
    expect(listed).toEqual([]);
    expect(finding).toBeUndefined();
  });
});

describe('shardViewsOf', () => {
  it('marks the failed-over shard, zeroes the downtime of a shard that never failed, and lists the collateral', () => {
    // Prepare: 0001 failed over (refused 2–3 s), 0002 timed out once, 0003 untouched.
    const runs = [
      profileRun('shard-0001', { outcomeAt: (ms) => (ms >= 2000 && ms < 3000 ? refused : 'ok') }),
      profileRun('shard-0002', { outcomeAt: (ms) => (ms === 5000 ? timeout : 'ok') }),
      profileRun('shard-0003'),
    ];
    const verifications = runs.map((run) => profileVerification(run.name));

    // Act
    const shards = shardViewsOf({ runs, verifications, failedOver: '0001' }, null, STARTED_AT_EPOCH_MS);

    // Assess
    expect(shards.map((s) => [s.nodeGroupId, s.target, s.verified])).toEqual([
      ['0001', true, true],
      ['0002', false, true],
      ['0003', false, true],
    ]);
    expect(shards.map((s) => [s.writes.failed, s.writes.indeterminate])).toEqual([
      [100, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(shards[0]!.downtime).toMatchObject({ ms: 1010, complete: true });
    // The untouched shard's own longest gap is not a downtime: none of its writes failed.
    expect(clientFigures(runs[2]!, verifications[2], null).downtime.ms).toBeGreaterThan(0);
    expect(shards[2]!.downtime).toEqual({ ms: 0, startMs: null, endMs: null, complete: true });
    expect(shards[0]!.timeline).toMatchObject({ startMs: 0, bucketMs: 100 });
    expect(collateralOf(shards)).toEqual(['0002']);
  });

  it('has no shards without shard writers', () => {
    // Act
    const shards = shardViewsOf(undefined, null, null);

    // Assess
    expect(shards).toEqual([]);
  });
});
