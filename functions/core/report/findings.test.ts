import { describe, expect, it } from 'vitest';
import { type FindingsInput, findingsOf } from './findings.js';
import { buildReport } from './report.js';

/** A drill that failed over cleanly: 110 ms down, nothing lost. */
function drill(overrides: Partial<FindingsInput> = {}): FindingsInput {
  return {
    verdict: 'pass',
    disruption: { observed: true },
    writes: { acknowledged: 2000, indeterminate: 0, lost: 0, recovered: 0, indeterminateAbsent: 0 },
    downtime: { ms: 110, complete: true },
    dataLossWindow: { ms: 0, maxAgeAtPromotionMs: null },
    failover: { replicationLagBytes: 0, timeToPromoteMs: 600 },
    ...overrides,
  };
}

const ids = (input: FindingsInput) => findingsOf(input).map((f) => f.id);

describe('findingsOf', () => {
  it('explains writes lost close to the replication lag as asynchronous replication, and how to bound it', () => {
    // Prepare: 252 lost over 492 ms; the replica was 500 ms (250 writes) behind
    const input = drill({
      verdict: 'fail',
      writes: {
        acknowledged: 2249,
        indeterminate: 0,
        lost: 252,
        recovered: 0,
        indeterminateAbsent: 0,
        predictedLost: 250,
      },
      dataLossWindow: { ms: 492, maxAgeAtPromotionMs: 560 },
      failover: {
        replicationLagBytes: 39_944,
        replicationLag: { lagMs: 500, behind: 250 },
        timeToPromoteMs: 567,
      },
    });

    // Act
    const [finding] = findingsOf(input);

    // Assess
    expect(finding).toMatchObject({ id: 'asynchronous-replication', severity: 'critical' });
    expect(finding!.title).toBe(
      '252 acknowledged writes lost, acknowledged over the last 492 ms before the failover — about the replication lag at the disruption (500 ms, 250 writes): asynchronous replication.',
    );
    expect(finding!.detail).toMatch(/WAIT 1/);
    expect(finding!.detail).toMatch(/min-replicas-to-write/);
    expect(finding!.figures).toEqual(
      expect.arrayContaining([
        { name: 'lost', value: '252 acknowledged writes' },
        { name: 'data-loss window', value: '492 ms' },
        { name: 'predicted lost (from the lag)', value: '250' },
      ]),
    );
  });

  it('says so when far more was lost than the lag accounts for', () => {
    // Prepare
    const input = drill({
      writes: {
        acknowledged: 5000,
        indeterminate: 0,
        lost: 1200,
        recovered: 0,
        indeterminateAbsent: 0,
        predictedLost: 40,
      },
      dataLossWindow: { ms: 2400, maxAgeAtPromotionMs: 2500 },
      failover: {
        replicationLagBytes: 6000,
        replicationLag: { lagMs: 80, behind: 40 },
        timeToPromoteMs: 900,
      },
    });

    // Act
    const [finding] = findingsOf(input);

    // Assess
    expect(finding).toMatchObject({ id: 'loss-beyond-lag', severity: 'critical' });
    expect(finding!.title).toBe(
      '1200 acknowledged writes lost, far more than the replication lag predicted (40).',
    );
  });

  it('falls back on the lag in bytes when the report has no lag in writes', () => {
    // Prepare
    const input = drill({
      writes: { acknowledged: 2000, indeterminate: 0, lost: 10, recovered: 0, indeterminateAbsent: 0 },
      dataLossWindow: { ms: 20, maxAgeAtPromotionMs: 30 },
      failover: { replicationLagBytes: 1500, timeToPromoteMs: 600 },
    });

    // Act
    const [finding] = findingsOf(input);

    // Assess
    expect(finding!.id).toBe('asynchronous-replication');
    expect(finding!.title).toMatch(/while the replica was 1500 bytes behind: asynchronous replication\.$/);
  });

  it('says nothing was lost after a clean failover', () => {
    expect(ids(drill())).toEqual(['no-loss']);
  });

  it('blames the client settings when the application was down far longer than the server', () => {
    // Prepare
    const input = drill({
      clients: [
        { name: 'ioredis-defaults', downtime: { ms: 21_000, complete: true }, writes: { lost: 0 } },
        { name: 'tuned', downtime: { ms: 180, complete: true }, writes: { lost: 0 } },
      ],
    });

    // Act
    const findings = findingsOf(input).filter((f) => f.id === 'client-downtime');

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]!.title).toBe(
      'The application\'s client "ioredis-defaults" was down 21000 ms; the server only 110 ms.',
    );
    expect(findings[0]!.figures).toEqual([
      { name: 'ioredis-defaults downtime', value: '21000 ms' },
      { name: 'server downtime (probe)', value: '110 ms' },
    ]);
  });

  it('points at the cluster client when shards that were not failed over saw errors', () => {
    // Prepare
    const input = drill({
      shards: [
        {
          nodeGroupId: '0001',
          target: true,
          writes: { failed: 30, indeterminate: 2 },
          downtime: { ms: 110 },
        },
        {
          nodeGroupId: '0002',
          target: false,
          writes: { failed: 12, indeterminate: 0 },
          downtime: { ms: 60 },
        },
        { nodeGroupId: '0003', target: false, writes: { failed: 0, indeterminate: 0 }, downtime: { ms: 0 } },
      ],
    });

    // Act
    const finding = findingsOf(input).find((f) => f.id === 'collateral-shards');

    // Assess
    expect(finding!.title).toBe('Writes to 1 shard that was not failed over also failed.');
    expect(finding!.figures).toEqual([
      { name: 'node group 0002', value: '12 failed, 0 indeterminate, downtime 60 ms' },
    ]);
  });

  it('reads indeterminate writes for what they are, and warns when nothing was disrupted', () => {
    // Prepare
    const indeterminate = drill({
      writes: { acknowledged: 2000, indeterminate: 3, lost: 0, recovered: 1, indeterminateAbsent: 2 },
    });
    const undisturbed = drill({ disruption: { observed: false }, downtime: { ms: 0, complete: false } });

    // Act
    const found = findingsOf(indeterminate).find((f) => f.id === 'indeterminate');

    // Assess
    expect(found!.title).toBe('3 writes got no reply: 1 turned out applied, 2 not.');
    expect(ids(undisturbed)).toEqual(['no-disruption']);
  });

  it('reads a real report: an errored run says so', () => {
    // Prepare
    const report = buildReport({
      error: Object.assign(new Error('no such group'), { name: 'ReplicationGroupNotFoundFault' }),
    });

    // Act
    const findings = findingsOf(report);

    // Assess
    expect(findings.map((f) => f.id)).toEqual(['errored']);
    expect(findings[0]!.title).toBe(
      'The drill ended in an error (ReplicationGroupNotFoundFault); its figures are incomplete.',
    );
  });
});
