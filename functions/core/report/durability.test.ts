/**
 * The durability checker alone, on injected truths: a durable group's promise kept or broken whatever the
 * thresholds say, the rejected writes counted with their times, and the findings it makes (its JUnit case:
 * cli/junit-durability.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { probeVerification } from '../../../test/support/report-inputs.js';
import {
  type DurabilitySetting,
  durabilityOfGroup,
  promiseOf,
  REJECTED_KIND,
} from '../measure/durability.js';
import { dataLossWindowOf } from '../measure/timings.js';
import { findingsOf } from './findings.js';
import { buildReport } from './report.js';

const declared = (mode: 'sync' | 'async', bufferMs = 10_000): DurabilitySetting => ({
  configured: mode,
  effective: mode,
  source: 'declared',
  bufferMs,
});

/** A verified run of 1000 writes of which `lost` were lost, acknowledged over `windowMs`. */
function lostRun(lost: number, windowMs: number) {
  const { summary } = synthesize({ rate: 100, writes: 1000 });
  const window = { ...dataLossWindowOf([], new Map(), null), ms: windowMs };
  return { summary, verification: probeVerification(1000 - lost, { lost, dataLossWindow: window }) };
}

describe('the promise', () => {
  it('reads Durability and EffectiveDurability as AWS returns them', () => {
    // Act
    const sync = durabilityOfGroup({ Durability: 'sync', EffectiveDurability: 'sync' });
    const byDefault = durabilityOfGroup({ Durability: 'default', EffectiveDurability: 'disabled' });
    const silent = durabilityOfGroup({});

    // Assess
    expect(sync).toEqual({
      configured: 'sync',
      effective: 'sync',
      source: 'control-plane',
      bufferMs: 10_000,
    });
    expect(promiseOf(sync)).toMatchObject({ mode: 'sync', maxLostWrites: 0 });
    expect(promiseOf(byDefault)).toBeNull();
    expect(silent).toBeUndefined();
  });
});

describe('buildReport with a durable group', () => {
  it('fails a sync group that lost one acknowledged write, with no threshold set', () => {
    // Prepare: thresholds that would let any loss pass
    const run = lostRun(1, 0);

    // Act
    const report = buildReport({
      ...run,
      thresholds: { maxLostWrites: 1000 },
      durability: { setting: declared('sync') },
    });

    // Assess
    expect(report.verdict).toBe('fail');
    expect(report.durability).toMatchObject({ effective: 'sync', kept: false, lostWrites: 1 });
    expect(report.violations).toEqual([
      {
        threshold: 'durability',
        limit: 0,
        actual: 1,
        message: 'durability promise broken (sync: no acknowledged write is lost): 1 acknowledged write lost',
      },
    ]);
    expect(findingsOf(report)[0]).toMatchObject({ id: 'durability-promise-broken', severity: 'critical' });
  });

  it('keeps an async promise whose window stayed inside the buffer, and breaks one beyond it', () => {
    // Prepare: 40 writes lost over 400 ms, and over 10 500 ms
    const inside = lostRun(40, 400);
    const beyond = lostRun(40, 10_500);

    // Act
    const kept = buildReport({
      ...inside,
      thresholds: { maxLostWrites: 1000 },
      durability: { setting: declared('async') },
    });
    const broken = buildReport({
      ...beyond,
      thresholds: { maxLostWrites: 1000 },
      durability: { setting: declared('async') },
    });

    // Assess
    expect(kept).toMatchObject({ verdict: 'pass', durability: { kept: true, dataLossWindowMs: 400 } });
    expect(broken).toMatchObject({ verdict: 'fail', durability: { kept: false } });
    expect(broken.violations[0]?.message).toBe(
      'durability promise broken (async: at most the last 10,000 ms of acknowledged writes are lost (data-loss window ≤ 10,000 ms)): data-loss window 10500 ms > 10000 ms (40 acknowledged writes lost)',
    );
  });

  it('counts the writes a durable primary rejected, with their first and last times', () => {
    // Prepare: the primary answers CLUSTERDOWN from 2 000 ms to 3 000 ms
    const rejected = { outcome: 'fail', kind: REJECTED_KIND } as const;
    const { summary } = synthesize({
      rate: 100,
      writes: 500,
      outcomeAt: (t) => (t >= 2000 && t < 3000 ? rejected : 'ok'),
    });

    // Act
    const report = buildReport({
      summary,
      verification: probeVerification(400),
      durability: { setting: declared('async') },
    });

    // Assess
    expect(report.durability?.rejectedWrites).toEqual({
      count: 100,
      firstMs: 2000.2,
      lastMs: 2990.2,
      clients: [],
    });
    expect(report.durability?.kept).toBe(true);
    expect(findingsOf(report).map((f) => f.id)).toContain('durability-rejected-writes');
  });

  it('judges nothing when the run was not verified, and adds nothing for a group of unknown mode', () => {
    // Prepare
    const { summary } = synthesize({ rate: 100, writes: 100 });

    // Act
    const unverified = buildReport({ summary, durability: { setting: declared('sync') } });
    const unknown = buildReport({ summary, verification: probeVerification(100) });

    // Assess
    expect(unverified).toMatchObject({ verdict: 'error', durability: { kept: null } });
    expect(unknown.durability).toBeUndefined();
  });
});
