import { describe, expect, it } from 'vitest';
import { planFixture } from '../../../test/support/plan-fixture.js';
import { type FisAzPower, fisAzPower } from '../drill/faults/fis-az-power.js';
import { preview } from '../drill/preflight.js';
import { caughtError, drillReport } from './drill-report.js';
import { renderReportHtml } from './report-html.js';

describe('drillReport', () => {
  it('reports a refusal caught before Preflight accepted the drill, with the error named as Lambda named it', () => {
    // Prepare
    const state = {
      request: { replicationGroupId: 'grp' },
      execution: 'exec-1',
      error: {
        Error: 'GuardrailError',
        Cause: JSON.stringify({
          errorType: 'GuardrailError',
          errorMessage: 'drill refused: opt-in-tag-missing',
          trace: [],
        }),
      },
      cleanup: { deleted: 0, note: 'nothing to clean' },
      lockReleased: { released: false, reason: 'no lock was taken' },
    };

    // Act
    const report = drillReport(state);

    // Assess
    expect(report).toMatchObject({
      verdict: 'error',
      runId: 'exec-1',
      failoverTriggered: false,
      error: { name: 'GuardrailError', message: 'drill refused: opt-in-tag-missing' },
      drill: { replicationGroupId: 'grp', nodeGroupId: null },
      cleanup: { deleted: 0, lockReleased: false, errors: [] },
    });
    expect(report.headline).toBe('ERROR grp: GuardrailError: drill refused: opt-in-tag-missing');
  });

  it('previews a fis-az-power dry run: the zone, its nodes and the duration, no TestFailover', () => {
    // Prepare
    const fis = { availabilityZone: 'us-east-1a', nodeIds: ['grp-001'], duration: 'PT5M' };
    const base = planFixture({ dryRun: true, fault: { source: 'fis-az-power', duration: 'PT5M' } });
    // The source's guardrail resolves the zone of the primary; the duration comes from the request.
    const nodeGroup = {
      NodeGroupId: '0001',
      NodeGroupMembers: [
        { CacheClusterId: 'grp-001', CurrentRole: 'primary', PreferredAvailabilityZone: 'us-east-1a' },
      ],
    };
    const group = { ReplicationGroupId: 'grp', NodeGroups: [nodeGroup] };
    const judged = fisAzPower.guardrails.judge(
      base.request.fault as FisAzPower,
      { request: base.request, group, nodeGroup },
      () => {},
    );
    const plan = { ...base, lock: undefined, dryRun: preview(base.request, base.target, 0, judged) };

    // Act
    const report = drillReport({ request: plan.request, execution: 'run-1', plan });

    // Assess
    expect(report).toMatchObject({
      verdict: 'pass',
      dryRun: true,
      drill: { fault: 'fis-az-power' },
      preview: { fis },
    });
    expect(report.headline).toContain(
      'would power off us-east-1a (grp-001) for PT5M through an AWS FIS experiment',
    );
  });

  it('keeps a failed cleanup visible without changing the verdict', () => {
    // Prepare
    const state = {
      request: {},
      execution: 'exec-2',
      error: { Error: 'RecoveryTimeoutError', Cause: 'not recovered within 900 s' },
      cleanupError: { Error: 'DataPlaneError', Cause: 'connection refused' },
    };

    // Act
    const report = drillReport(state);

    // Assess
    expect(report.error).toEqual({ name: 'RecoveryTimeoutError', message: 'not recovered within 900 s' });
    expect(report.cleanup.errors).toEqual([{ name: 'DataPlaneError', message: 'connection refused' }]);
  });

  it('renders a standalone HTML page with every figure escaped', async () => {
    // Prepare
    const report = drillReport({
      request: { replicationGroupId: 'grp' },
      execution: 'e',
      error: { Error: 'X', Cause: '<script>' },
    });

    // Act
    const html = await renderReportHtml(report);

    // Assess
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script>/);
    expect(html).toContain('&#60;script&#62;');
  });
});

describe('caughtError', () => {
  it('takes a plain-text cause as the message (the local runner passes the message itself)', () => {
    // Act
    const error = caughtError({ Error: 'States.Timeout', Cause: 'Task timed out' });

    // Assess
    expect(error).toMatchObject({ name: 'States.Timeout', message: 'Task timed out' });
  });
});
