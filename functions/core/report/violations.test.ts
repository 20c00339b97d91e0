/** The violations checker alone: the probe's figures, then each profile's, against the thresholds. */
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../test/support/history-fixture.js';
import { profileRun, profileVerification } from '../../../test/support/report-inputs.js';
import { clientFigures } from '../measure/clients/figures.js';
import { thresholdsSchema } from '../measure/thresholds.js';
import { probeFiguresOf } from './probe-figures.js';
import { reportViolationsOf } from './violations.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;

describe('reportViolationsOf', () => {
  it("lists the probe's violations, then each profile's", () => {
    // Prepare: the probe refused for 2 s; a profile refused 100 writes.
    const { summary } = synthesize({
      rate: 200,
      writes: 4000,
      outcomeAt: (t) => (t >= 10_000 && t < 12_000 ? refused : 'ok'),
    });
    const probe = probeFiguresOf(summary, undefined, undefined);
    const run = profileRun('fail-fast', { outcomeAt: (ms) => (ms >= 2000 && ms < 3000 ? refused : 'ok') });
    const clients = [clientFigures(run, profileVerification(run.name), null)];
    const thresholds = thresholdsSchema.parse({ maxDowntimeMs: 1000, clients: { maxFailedWrites: 10 } });

    // Act
    const violations = reportViolationsOf(probe, clients, thresholds);

    // Assess
    expect(violations.map((v) => v.message)).toEqual([
      'downtime ms 2005 > 1000',
      'client fail-fast: failed writes 100 > 10',
    ]);
  });

  it('judges nothing when the run was not written and verified', () => {
    // Prepare
    const run = profileRun('never-verified');
    const clients = [clientFigures(run, undefined, null)];
    const thresholds = thresholdsSchema.parse({ clients: { maxFailedWrites: 0 } });

    // Act
    const violations = reportViolationsOf(null, clients, thresholds);

    // Assess
    expect(violations).toEqual([]);
  });
});
