/** The clients checker alone: each profile's figures against its own read-back, with its lane. */
import { describe, expect, it } from 'vitest';
import { profileRun, profileVerification, STARTED_AT_EPOCH_MS } from '../../../test/support/report-inputs.js';
import { clientViewsOf } from './client-views.js';

const refused = { outcome: 'fail', kind: 'NOT_CONNECTED' } as const;

describe('clientViewsOf', () => {
  it('judges each profile by its own read-back, found by name, with times from T0', () => {
    // Prepare: two profiles started 300 ms after the probe; T0 1 s after the probe; one read back.
    const startedAtEpochMs = STARTED_AT_EPOCH_MS + 300;
    const runs = [
      profileRun('fail-fast', {
        startedAtEpochMs,
        outcomeAt: (ms) => (ms >= 2000 && ms < 3000 ? refused : 'ok'),
      }),
      profileRun('ioredis-defaults', { startedAtEpochMs }),
    ];
    const verifications = [profileVerification('fail-fast', { lost: 2, duplicated: 1 })];

    // Act
    const clients = clientViewsOf({ runs, verifications }, STARTED_AT_EPOCH_MS + 1000, STARTED_AT_EPOCH_MS);

    // Assess
    expect(clients.map((c) => [c.name, c.verified, c.writes.lost, c.writes.duplicated])).toEqual([
      ['fail-fast', true, 2, 1],
      ['ioredis-defaults', false, 0, 0],
    ]);
    expect(clients[0]).toMatchObject({
      reference: 'T0',
      writes: { attempted: 1000, failed: 100 },
      // The profile's ms 1991 and 3001, 700 ms behind T0's clock.
      downtime: { ms: 1010, startMs: 1291, endMs: 2301, complete: true },
      errors: { NOT_CONNECTED: { count: 100, firstMs: 1301, lastMs: 2291 } },
    });
    expect(clients[0]!.timeline).toMatchObject({ startMs: 300, startEpochMs: startedAtEpochMs });
  });

  it('has no clients without profiles', () => {
    // Act
    const clients = clientViewsOf(undefined, null, null);

    // Assess
    expect(clients).toEqual([]);
  });
});
