import { describe, expect, it } from 'vitest';
import { EventLog, eventWindow, failoverMessages } from './events.js';

const at = (iso: string) => new Date(iso);

describe('EventLog', () => {
  it('returns matching events newest first, ordering events of the same millisecond by arrival', () => {
    // Prepare
    let now = at('2026-11-23T10:00:00.000Z');
    const log = new EventLog(() => now);
    log.record('replication-group', 'g', failoverMessages.called('0001'));
    now = at('2026-11-23T10:00:01.000Z');
    log.record('cache-cluster', 'g-002', failoverMessages.completed('g-001', 'g-002'));
    log.record('replication-group', 'g', failoverMessages.completed('g-001', 'g-002'));
    log.record('cache-cluster', 'g-001', failoverMessages.recovering('0001'));

    // Act
    const all = log.query({ start: at('2026-11-23T09:00:00Z'), end: at('2026-11-23T11:00:00Z') });
    const group = log.query({
      start: at('2026-11-23T09:00:00Z'),
      end: at('2026-11-23T11:00:00Z'),
      sourceType: 'replication-group',
      sourceIdentifier: 'g',
    });
    const late = log.query({ start: at('2026-11-23T10:00:00.500Z'), end: at('2026-11-23T11:00:00Z') });

    // Assess
    expect(all.map((e) => e.message)).toEqual([
      'Recovering cache nodes 0001',
      'Failover from primary node g-001 to replica node g-002 completed',
      'Failover from primary node g-001 to replica node g-002 completed',
      'Test Failover API called for node group 0001',
    ]);
    expect(all.map((e) => e.sourceType)).toEqual([
      'cache-cluster',
      'replication-group',
      'cache-cluster',
      'replication-group',
    ]);
    expect(group).toHaveLength(2);
    expect(late).toHaveLength(3);
  });

  it('forgets events older than 14 days', () => {
    // Prepare
    let now = at('2026-11-01T00:00:00Z');
    const log = new EventLog(() => now);
    log.record('replication-group', 'g', 'old');
    now = at('2026-11-16T00:00:00Z');

    // Act
    log.record('replication-group', 'g', 'new');

    // Assess
    expect(log.query({ start: at('2026-10-01T00:00:00Z'), end: now }).map((e) => e.message)).toEqual(['new']);
  });
});

describe('eventWindow', () => {
  const now = at('2026-11-23T10:00:00.000Z');

  it('defaults to the last hour and combines Duration with either bound', () => {
    // Prepare
    const start = at('2026-11-23T08:00:00Z');
    const end = at('2026-11-23T09:00:00Z');

    // Act
    const windows = [
      eventWindow(now, {}),
      eventWindow(now, { durationMinutes: 5 }),
      eventWindow(now, { startTime: start, durationMinutes: 10 }),
      eventWindow(now, { endTime: end, durationMinutes: 10 }),
      eventWindow(now, { startTime: start, endTime: end }),
      eventWindow(now, { startTime: start }),
    ];

    // Assess
    expect(windows).toEqual([
      { start: at('2026-11-23T09:00:00Z'), end: now },
      { start: at('2026-11-23T09:55:00Z'), end: now },
      { start, end: at('2026-11-23T08:10:00Z') },
      { start: at('2026-11-23T08:50:00Z'), end },
      { start, end },
      { start, end: now },
    ]);
  });

  it('refuses an inverted window and an over-determined one', () => {
    // Prepare
    const start = at('2026-11-23T09:00:00Z');
    const end = at('2026-11-23T08:00:00Z');

    // Act
    const inverted = eventWindow(now, { startTime: start, endTime: end });
    const overDetermined = eventWindow(now, { startTime: end, endTime: start, durationMinutes: 1 });

    // Assess
    expect(inverted).toHaveProperty('error');
    expect(overDetermined).toHaveProperty('error');
  });
});
