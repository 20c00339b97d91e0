/** global-failover's input and guardrails: each refusal by name, and a datastore that passes them all. */
import type { GlobalReplicationGroup } from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import { globalFigures, globalViolations } from '../../measure/global-figures.js';
import {
  checkGlobalRequest,
  type GlobalScope,
  globalFailoverSchema,
  judgeGlobalFailover,
} from './global-failover.js';

const fault = globalFailoverSchema.parse({
  source: 'global-failover',
  globalReplicationGroupId: 'ldgnf-drill-demo',
  secondaryRegion: 'eu-west-1',
  secondaryReplicationGroupId: 'drill-demo-secondary',
});
const datastore: GlobalReplicationGroup = {
  GlobalReplicationGroupId: 'ldgnf-drill-demo',
  Status: 'available',
  Members: [
    {
      ReplicationGroupId: 'drill-demo',
      ReplicationGroupRegion: 'us-east-1',
      Role: 'primary',
      Status: 'associated',
    },
    {
      ReplicationGroupId: 'drill-demo-secondary',
      ReplicationGroupRegion: 'eu-west-1',
      Role: 'secondary',
      Status: 'associated',
    },
  ],
};
const optIn = { 'failover-drill:allowed': 'true' };
const scope: GlobalScope = {
  primaryRegion: 'us-east-1',
  primaryReplicationGroupId: 'drill-demo',
  datastore,
  tags: { 'us-east-1/drill-demo': optIn, 'eu-west-1/drill-demo-secondary': optIn },
  optInTag: { key: 'failover-drill:allowed', value: 'true' },
  lagMs: 120,
  maxLagMs: 5000,
  lockedBy: undefined,
};

describe('global-failover input', () => {
  it('defaults failBack to false and refuses an unknown region and unknown fields', () => {
    // Prepare
    const bad = [
      { ...fault, secondaryRegion: 'mars' },
      { ...fault, extra: 1 },
    ];

    // Act
    const results = bad.map((input) => globalFailoverSchema.safeParse(input).success);

    // Assess
    expect(fault.failBack).toBe(false);
    expect(results).toEqual([false, false]);
  });

  it('refuses the primary named as the secondary, and a secondary in the primary region', () => {
    // Act
    const same = checkGlobalRequest(
      { ...fault, secondaryRegion: 'us-east-1', secondaryReplicationGroupId: 'drill-demo' },
      { region: 'us-east-1', replicationGroupId: 'drill-demo' },
    );
    const sameRegion = checkGlobalRequest(
      { ...fault, secondaryRegion: 'us-east-1' },
      { region: 'us-east-1', replicationGroupId: 'drill-demo' },
    );

    // Assess
    expect(same).toMatch(/is the primary/);
    expect(sameRegion).toMatch(/primary's region/);
  });
});

describe('global-failover guardrails', () => {
  it('passes an available datastore, both members opted in and associated, the lag under its bound', () => {
    expect(judgeGlobalFailover(fault, scope)).toEqual([]);
  });

  it.each([
    ['global-datastore', { datastore: undefined }],
    ['global-status', { datastore: { ...datastore, Status: 'modifying' } }],
    [
      'global-member-status',
      {
        datastore: {
          ...datastore,
          Members: [datastore.Members![0]!, { ...datastore.Members![1]!, Status: 'associating' }],
        },
      },
    ],
    ['global-secondary', { datastore: { ...datastore, Members: [datastore.Members![0]!] } }],
    ['opt-in-tag', { tags: { 'us-east-1/drill-demo': optIn } }],
    ['global-lag', { lagMs: 9000 }],
    ['global-lag', { lagMs: undefined }],
    ['lock', { lockedBy: 'run-1' }],
  ] as [string, Partial<GlobalScope>][])('refuses by %s', (guardrail, change) => {
    // Act
    const refusals = judgeGlobalFailover(fault, { ...scope, ...change });

    // Assess
    expect(refusals.map((r) => r.guardrail)).toContain(guardrail);
  });
});

describe('report.global figures and thresholds', () => {
  it('counts the old region’s acknowledged writes absent in the new one, and judges the thresholds', () => {
    // Prepare
    const w = (seq: number, region: string, end: number, outcome: 'ok' | 'fail' = 'ok') => ({
      seq,
      region,
      startEpochMs: end - 2,
      endEpochMs: end,
      outcome,
    });
    const writes = [
      w(0, 'us', 100),
      w(1, 'us', 200),
      w(2, 'us', 300),
      w(3, 'us', 400, 'fail'),
      w(4, 'eu', 900),
    ];

    // Act
    const report = globalFigures({
      globalReplicationGroupId: 'g',
      beforePrimaryRegion: 'us',
      afterPrimaryRegion: 'eu',
      requestedAtEpochMs: 250,
      rolesSwappedAtEpochMs: 1000,
      writes,
      present: new Set([0, 4]),
    });
    const violations = globalViolations(report, { maxCrossRegionLostWrites: 1, maxRegionFailoverMs: 1000 });

    // Assess
    expect(report.rpo).toEqual({
      lost: 2,
      dataLossWindowMs: 100,
      bounds: { minMs: 98, maxMs: 102 },
      ageAtRequestMs: { min: -50, max: 50 },
    });
    expect(report.rto).toEqual({ firstWriteOkMs: 650, rolesSwappedMs: 750 });
    expect(violations).toEqual([{ threshold: 'maxCrossRegionLostWrites', limit: 1, actual: 2 }]);
  });
});
