import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { Classifier } from '../measure/classify.js';
import { payloadFor, payloadMatcher } from '../measure/keys.js';
import { NOT_SENT } from '../measure/outcomes.js';
import { decodeOutcomes, seqsOf } from '../measure/ranges.js';
import { decodeAckLog } from '../measure/recorder.js';
import type { WriterSummary } from '../measure/summary.js';
import { dataLossWindowOf } from '../measure/timings.js';
import type { Verification } from '../measure/verify.js';
import { buildReport } from './report.js';

const refused = { outcome: 'fail', kind: NOT_SENT } as const;
const timeout = { outcome: 'info', kind: 'TIMEOUT' } as const;

/** Classifies a synthetic run against a synthetic read-back, as verify() does against Redis. */
function verifyAgainst(
  summary: WriterSummary,
  readValue: (seq: number) => string | null,
  strays: string[] = [],
) {
  const classifier = new Classifier(payloadMatcher(summary.runId, summary.writerId));
  const ranges = decodeOutcomes(summary.outcomes);
  for (const outcome of ['ok', 'fail', 'info'] as const)
    for (const seq of seqsOf(ranges[outcome])) {
      const value = readValue(seq);
      classifier.observe(seq, outcome, value === null ? null : Buffer.from(value), `k:${seq}`);
    }
  for (const key of strays) classifier.neverAttempted(key);
  const classification = classifier.result();
  const verification: Verification = {
    ...classification,
    verifiedAtEpochMs: summary.startedAtEpochMs + summary.durationMs + 100,
    durationMs: 10,
    readFrom: { id: 'B', role: 'master' },
    dataLossWindow: dataLossWindowOf(
      classification.lostRanges,
      decodeAckLog(summary.ackLog),
      summary.identity.promotedAtMs,
    ),
    unexpectedSearch: 'probe',
    probed: { fromSeq: summary.attempted, toSeq: summary.attempted + 1000, found: 0 },
    slotKeys: null,
  };
  return verification;
}

// 1 write per ms; the old primary A acknowledged up to seq 1999, but its replica B stopped receiving at
// seq 1900; at 2000 ms writes time out, refused from 2100 ms, B is master from 2300 ms, writes ok again.
const run = () =>
  synthesize({
    rate: 1000,
    writes: 4000,
    outcomeAt: (t) => (t < 2000 ? 'ok' : t < 2100 ? timeout : t < 2300 ? refused : 'ok'),
    identityAt: (t) =>
      t < 2000 ? { id: 'A', role: 'master' } : t < 2300 ? undefined : { id: 'B', role: 'master' },
  }).summary;

describe('classification', () => {
  it('classifies lost, recovered and indeterminate-absent writes and dates the loss', () => {
    // Prepare: B has everything up to 1899, half of the timed-out writes, everything after promotion
    const summary = run();
    const payload = (seq: number) => payloadFor(summary.runId, summary.writerId, seq);
    const readValue = (seq: number) =>
      seq < 1900 || (seq >= 2000 && seq < 2100 && seq % 2 === 0) || seq >= 2300 ? payload(seq) : null;
    // Act
    const verification = verifyAgainst(summary, readValue);
    const report = buildReport({ summary, verification, failover: { triggered: false } });
    // Assess
    expect(verification).toMatchObject({
      lost: 100,
      lostRanges: [[1900, 1999]],
      recovered: 50,
      indeterminateAbsent: 50,
      failedButPresent: 0,
      unexpected: 0,
    });
    expect(verification.dataLossWindow).toMatchObject({
      ms: 99,
      firstLostAckMs: 1900.2,
      lastLostAckMs: 1999.2,
      dated: 100,
      undated: 0,
      maxAgeAtPromotionMs: 399.8,
      minAgeAtPromotionMs: 300.8,
    });
    expect(report).toMatchObject({
      verdict: 'fail',
      writes: {
        attempted: 4000,
        acknowledged: 3700,
        failed: 200,
        indeterminate: 100,
        lost: 100,
        recovered: 50,
      },
      downtime: { ms: 301, complete: true },
      dataLossWindow: { ms: 99 },
      failover: { from: 'A', to: 'B', reference: 'disruptionStart', timeToPromoteMs: 300.8 },
      violations: [{ threshold: 'maxLostWrites', limit: 0, actual: 100 }],
    });
  });

  it('reports failed-but-present as a classification error, and strays and foreign payloads as unexpected', () => {
    // Prepare: a refused write (seq 2150) is present; seq 10 holds another writer's payload; one stray key
    const summary = run();
    const payload = (seq: number) => payloadFor(summary.runId, summary.writerId, seq);
    const readValue = (seq: number) =>
      seq === 10
        ? payloadFor(summary.runId, 'someone-else', 10)
        : seq === 2150 || seq < 2000 || seq >= 2300
          ? payload(seq)
          : null;
    // Act
    const verification = verifyAgainst(summary, readValue, ['failover-drill:synthetic:999999']);
    const report = buildReport({ summary, verification, thresholds: { maxLostWrites: 1 } });
    // Assess
    expect(verification).toMatchObject({
      failedButPresent: 1,
      failedButPresentRanges: [[2150, 2150]],
      lost: 1,
      unexpected: 2,
      unexpectedDetail: {
        neverAttempted: 1,
        payloadMismatch: 1,
        samples: ['k:10', 'failover-drill:synthetic:999999'],
      },
    });
    expect(report.verdict).toBe('error');
    expect(report.error).toEqual({
      name: 'ClassificationError',
      message: '1 writes classified as failed are present: the failure classification is wrong',
    });
    expect(report.writes).toMatchObject({ failedButPresent: 1, unexpected: 2, lost: 1 });
  });
});
