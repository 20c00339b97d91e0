/**
 * The consistency checker alone: each rule on two figures that agree and two that do not, a report whose
 * figures are made to disagree (the finding names both), and reports built from real runs (none).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import {
  probeVerification,
  profileRun,
  profileVerification,
  STARTED_AT_EPOCH_MS,
} from '../../../test/support/report-inputs.js';
import { NOT_SENT } from '../measure/outcomes.js';
import {
  type ConsistencyInput,
  countDisagreements,
  disagreementsOf,
  downtimeDisagreements,
  errorDisagreements,
  lagDisagreements,
  lostDatedDisagreements,
  timelineDisagreements,
  writeBytesAtMost,
} from './consistency.js';
import { findingsOf } from './findings.js';
import { buildReport } from './report.js';

const refused = { outcome: 'fail', kind: NOT_SENT } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

/** The probe's counts of a run that went well: 1000 sent, 10 failed, 5 indeterminate. */
const counts = {
  attempted: 1000,
  acknowledged: 985,
  failed: 10,
  indeterminate: 5,
  lost: 0,
  recovered: 2,
  indeterminateAbsent: 3,
  failedButPresent: 0,
};

const rules = (found: { rule: string }[]) => found.map((d) => d.rule);

/** A report of nothing but what a rule reads. */
function report(overrides: Partial<ConsistencyInput> = {}): ConsistencyInput {
  return {
    runId: 'synthetic',
    writes: counts,
    downtime: { ms: 0, endMs: null, bounds: null },
    failover: { replicationLagBytes: null, replicationLag: null },
    run: { concurrency: 16, keyBase: 'failover-drill:synthetic', verifiedFrom: 'B' },
    ...overrides,
  };
}

/** A timeline of 100 ms buckets from 0 ms; `nonOk[i]` failed writes in bucket i. */
function timeline(ok: number[], fail: number[], info = fail.map(() => 0)) {
  return { bucketMs: 100, startMs: 0, ok, fail, info };
}

describe('countDisagreements', () => {
  it('finds nothing in counts that add up', () => {
    // Prepare: the counts above, read back
    // Act
    const found = countDisagreements(counts, '', true);
    // Assess
    expect(found).toEqual([]);
  });

  it('names attempted against the settled writes when they do not add up', () => {
    // Prepare: one write counted as sent that never ended
    const writes = { ...counts, attempted: 1001 };
    // Act
    const found = countDisagreements(writes, 'clients[ioredis-defaults].', true);
    // Assess
    expect(found).toEqual([
      {
        rule: 'counts-add-up',
        says: 'every attempted write ends acknowledged, failed or indeterminate',
        figures: [
          { name: 'clients[ioredis-defaults].writes.attempted', value: '1001' },
          { name: 'clients[ioredis-defaults].writes.acknowledged + failed + indeterminate', value: '1000' },
        ],
      },
    ]);
  });

  it('finds a read-back that classified more than was sent', () => {
    // Prepare: lost beyond the acknowledged, recovered and failed-present beyond their outcomes
    const writes = {
      ...counts,
      acknowledged: 5,
      attempted: 20,
      lost: 6,
      recovered: 6,
      failedButPresent: 11,
      pendingAtStop: 7,
    };
    // Act
    const found = countDisagreements(writes, '', false);
    // Assess
    expect(rules(found)).toEqual([
      'lost-within-acknowledged',
      'recovered-within-indeterminate',
      'failed-present-within-failed',
      'pending-within-indeterminate',
    ]);
    expect(found[0]!.figures).toEqual([
      { name: 'writes.lost', value: '6' },
      { name: 'writes.acknowledged', value: '5' },
    ]);
  });

  it('requires a read-back to classify every indeterminate write, only once it ran', () => {
    // Prepare: one indeterminate write neither recovered nor absent
    const writes = { ...counts, indeterminateAbsent: 2 };
    // Act
    const verified = countDisagreements(writes, '', true);
    const unverified = countDisagreements(writes, '', false);
    // Assess
    expect(rules(verified)).toEqual(['read-back-covers-indeterminate']);
    expect(verified[0]!.figures).toEqual([
      { name: 'writes.recovered + indeterminateAbsent', value: '4' },
      { name: 'writes.indeterminate', value: '5' },
    ]);
    expect(unverified).toEqual([]);
  });
});

describe('errorDisagreements', () => {
  it("sums the probe's kinds against failed + indeterminate", () => {
    // Prepare: 10 + 5 non-ok writes, one kind short
    const agree = { NOT_CONNECTED: 10, CONNECTION_LOST: 5 };
    const short = { NOT_CONNECTED: 10, CONNECTION_LOST: 4 };
    // Act
    const found = errorDisagreements(counts, short, '');
    // Assess
    expect(errorDisagreements(counts, agree, '')).toEqual([]);
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'errors (all kinds, summed)', value: '14' },
        { name: 'writes.failed + indeterminate', value: '15' },
      ],
    ]);
  });

  it("sums a profile's kinds by outcome against failed and indeterminate", () => {
    // Prepare: a READONLY streak counted as indeterminate instead of failed
    const errors = {
      READONLY: { outcome: 'info' as const, count: 10 },
      TIMEOUT: { outcome: 'info' as const, count: 5 },
    };
    // Act
    const found = errorDisagreements(counts, errors, 'shards[0002].');
    // Assess
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'shards[0002].errors (failing kinds, summed)', value: '0' },
        { name: 'shards[0002].writes.failed', value: '10' },
      ],
      [
        { name: 'shards[0002].errors (indeterminate kinds, summed)', value: '15' },
        { name: 'shards[0002].writes.indeterminate', value: '5' },
      ],
    ]);
  });
});

describe('timelineDisagreements', () => {
  it("holds a lane to its writer's totals and the probe's window within them", () => {
    // Prepare: 985 ok, 10 failed, 5 indeterminate; a window that shows part of them, one that shows more
    const whole = timeline([500, 485], [10, 0], [0, 5]);
    const part = timeline([100, 100], [10, 0], [0, 5]);
    const more = timeline([100, 100], [11, 0], [0, 5]);
    // Act
    const lane = timelineDisagreements(counts, part, 'clients[x].', true);
    // Assess
    expect(timelineDisagreements(counts, whole, 'clients[x].', true)).toEqual([]);
    expect(timelineDisagreements(counts, part, '', false)).toEqual([]);
    expect(lane.map((d) => d.figures[0])).toEqual([
      { name: 'clients[x].timeline.ok (summed)', value: '200' },
    ]);
    expect(timelineDisagreements(counts, more, '', false).map((d) => d.figures)).toEqual([
      [
        { name: 'timeline.fail (summed)', value: '11' },
        { name: 'writes.failed', value: '10' },
      ],
    ]);
  });
});

describe('downtimeDisagreements', () => {
  const bounds = { minMs: 0, maxMs: 200 };

  it('agrees when the non-ok writes started within the downtime', () => {
    // Prepare: non-ok writes in [100, 200) ms, down until 210 ms
    const input = report({
      timeline: timeline([9, 0, 9], [0, 15, 0]),
      downtime: { ms: 120, endMs: 210, bounds },
    });
    // Act
    const found = downtimeDisagreements(input);
    // Assess
    expect(found).toEqual([]);
  });

  it('finds non-ok writes with no downtime, and a downtime with no non-ok write', () => {
    // Prepare
    const unnoticed = report({ timeline: timeline([9, 0, 9], [0, 15, 0]) });
    const unseen = report({
      timeline: timeline([9, 9, 9], [0, 0, 0]),
      downtime: { ms: 120, endMs: 210, bounds },
    });
    // Act
    const found = [...downtimeDisagreements(unnoticed), ...downtimeDisagreements(unseen)];
    // Assess
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'timeline non-ok writes', value: '15' },
        { name: 'downtime.ms', value: '0 (no non-ok write)' },
      ],
      [
        { name: 'timeline non-ok writes', value: '0' },
        { name: 'downtime.ms', value: '120' },
      ],
    ]);
  });

  it('lets non-ok writes of the baseline be without a downtime', () => {
    // Prepare: 15 refusals before the writer was armed
    const input = report({ writes: { ...counts, baselineNonOk: 15 }, timeline: timeline([0, 9], [15, 0]) });
    // Act
    const found = downtimeDisagreements(input);
    // Assess
    expect(found).toEqual([]);
  });

  it('finds a non-ok write that started after the downtime ended', () => {
    // Prepare: down until 150 ms, a refusal started in [200, 300)
    const input = report({
      timeline: timeline([9, 0, 0], [0, 14, 1]),
      downtime: { ms: 60, endMs: 150, bounds },
    });
    // Act
    const found = downtimeDisagreements(input);
    // Assess
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'timeline: last non-ok bucket', value: '[200, 300) ms' },
        { name: 'downtime.endMs', value: '150 ms' },
      ],
    ]);
  });
});

describe('lagDisagreements', () => {
  const oneWrite = writeBytesAtMost('failover-drill:synthetic', 'synthetic');
  const inSync = { replica: 'r', atMs: 1, replicaSeq: 99, behind: 0, lagMs: 0, predictedLost: 0 };

  it('allows the writes in flight beside no write behind', () => {
    // Prepare: the stream holds 17 writes (16 in flight and one more), none acknowledged
    const input = report({ failover: { replicationLagBytes: 17 * oneWrite, replicationLag: inSync } });
    // Act
    const found = lagDisagreements(input);
    // Assess
    expect(oneWrite).toBeGreaterThan(100);
    expect(oneWrite).toBeLessThan(300);
    expect(found).toEqual([]);
  });

  it('finds tens of KB behind beside 0 writes and 0 ms behind (issue 27)', () => {
    // Prepare: the figures of a realistic local drill with no lag injected
    const input = report({ failover: { replicationLagBytes: 13_818, replicationLag: inSync } });
    // Act
    const found = lagDisagreements(input);
    // Assess
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'failover.replicationLagBytes', value: '13818' },
        { name: 'failover.replicationLag', value: 'behind 0, lagMs 0' },
      ],
    ]);
  });

  it('finds writes behind with no bytes behind', () => {
    // Prepare
    const behind = { ...inSync, behind: 250, lagMs: 500 };
    const input = report({ failover: { replicationLagBytes: 0, replicationLag: behind } });
    // Act
    const found = lagDisagreements(input);
    // Assess
    expect(found.map((d) => d.figures[1])).toEqual([
      { name: 'failover.replicationLag', value: 'behind 250, lagMs 500' },
    ]);
  });
});

describe('lostDatedDisagreements', () => {
  it('counts every lost write, dated or undated', () => {
    // Prepare
    const agree = report({
      writes: { ...counts, lost: 5 },
      dataLossWindow: { ms: 40, dated: 4, undated: 1 },
    });
    const short = report({
      writes: { ...counts, lost: 5 },
      dataLossWindow: { ms: 40, dated: 4, undated: 0 },
    });
    // Act
    const found = lostDatedDisagreements(short);
    // Assess
    expect(lostDatedDisagreements(agree)).toEqual([]);
    expect(found.map((d) => d.figures)).toEqual([
      [
        { name: 'dataLossWindow.dated + undated', value: '4' },
        { name: 'writes.lost', value: '5' },
      ],
    ]);
  });
});

describe('findingsOf with disagreeing figures', () => {
  it('says which two figures disagree, with their values', () => {
    // Prepare: a built report whose replica held every write while its bytes lag says 66 KB
    const { summary } = synthesize({
      rate: 200,
      writes: 4000,
      outcomeAt: (t) => (t >= 10_000 && t < 12_000 ? refused : 'ok'),
    });
    summary.identity.lagBytes = 66_427;
    summary.replicaLag = {
      replica: '127.0.0.1:6380',
      atMs: 9990,
      replicaSeq: 1998,
      behind: 0,
      lagMs: 0,
      predictedLost: 0,
    };
    const built = buildReport({ summary, verification: probeVerification(summary.acknowledged) });

    // Act
    const findings = findingsOf(built).filter((f) => f.id === 'inconsistent-figures');

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      title:
        'Two figures disagree: failover.replicationLagBytes is 66427, failover.replicationLag is behind 0, lagMs 0.',
      figures: [
        { name: 'failover.replicationLagBytes', value: '66427' },
        { name: 'failover.replicationLag', value: 'behind 0, lagMs 0' },
      ],
    });
  });
});

describe('disagreementsOf over real reports', () => {
  it('finds none in a report recorded from a local drill that lost writes', () => {
    // Prepare: recorded from `failover-drill local` (charts.test.ts and the browser test use it too)
    const fixture = new URL('../../../test/support/fixtures/report-lost-writes.json', import.meta.url);
    const recorded = JSON.parse(readFileSync(fixture, 'utf8')) as ConsistencyInput;
    // Act
    const found = disagreementsOf(recorded);
    // Assess
    expect(recorded.writes.lost).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });

  it('finds none in a report built from runs of the probe, profiles and shards', () => {
    // Prepare: an outage [10 000, 12 000) ms with timeouts at its end; a profile and two shards beside it
    const { summary } = synthesize({
      rate: 200,
      writes: 4000,
      outcomeAt: (t) => (t >= 10_000 && t < 11_900 ? refused : t >= 11_900 && t < 12_000 ? timeout : 'ok'),
      identityAt: (t) => (t < 11_500 ? { id: 'A', role: 'master' } : { id: 'B', role: 'master' }),
    });
    const down = (ms: number) => (ms >= 2000 && ms < 3000 ? refused : ms === 3000 ? timeout : 'ok');
    const runs = [profileRun('ioredis-defaults', { outcomeAt: down })];
    const shards = [profileRun('shard-0001', { outcomeAt: down }), profileRun('shard-0002')];
    const built = buildReport({
      summary,
      verification: probeVerification(summary.acknowledged, { indeterminateAbsent: summary.indeterminate }),
      clients: { runs, verifications: [profileVerification('ioredis-defaults', { indeterminateAbsent: 1 })] },
      shards: {
        runs: shards,
        verifications: [
          profileVerification('shard-0001', { indeterminateAbsent: 1 }),
          profileVerification('shard-0002'),
        ],
        failedOver: '0001',
      },
      failover: { triggered: true, events: [{ kind: 'requested', atEpochMs: STARTED_AT_EPOCH_MS + 9000 }] },
    });

    // Act
    const found = disagreementsOf(built);

    // Assess
    expect(built.writes.indeterminate).toBeGreaterThan(0);
    expect(built.shards.map((s) => s.writes.failed)).toEqual([100, 0]);
    expect(found).toEqual([]);
  });
});
