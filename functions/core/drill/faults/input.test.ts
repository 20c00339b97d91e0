/** The fault of a drill request: each source's input form, its defaults and its refusals, by name. */

import { describe, expect, it } from 'vitest';
import { DrillInputError } from '../../../shared/errors.js';
import { parseDrillRequest } from '../request.js';
import { parseIsoDuration } from './fis-az-power.js';
import { faultSource } from './index.js';
import { nodeGroupsToRemove, reshardSchema } from './reshard.js';

const refusal = (input: unknown): DrillInputError => {
  try {
    parseDrillRequest(input);
  } catch (error) {
    return error as DrillInputError;
  }
  throw new Error('accepted');
};

describe('the fault of a drill request', () => {
  it('keeps the string forms, test-failover by default', () => {
    // Prepare
    const inputs = [{}, { fault: 'test-failover' }, { fault: 'none' }];

    // Act
    const faults = inputs.map((i) => parseDrillRequest({ replicationGroupId: 'orders', ...i }).fault);

    // Assess
    expect(faults).toEqual(['test-failover', 'test-failover', 'none']);
    expect(faults.map(faultSource)).toEqual(['test-failover', 'test-failover', 'none']);
  });

  it('takes fis-az-power as an object: FIS duration PT10M by default, the zone optional', () => {
    // Act
    const bare = parseDrillRequest({ replicationGroupId: 'orders', fault: { source: 'fis-az-power' } });
    const given = parseDrillRequest({
      replicationGroupId: 'orders',
      fault: { source: 'fis-az-power', availabilityZone: 'eu-west-1b', duration: 'PT4S' },
      recovery: { maxWaitSeconds: 60 },
    });

    // Assess
    expect(bare.fault).toEqual({ source: 'fis-az-power', duration: 'PT10M' });
    expect(given.fault).toEqual({ source: 'fis-az-power', availabilityZone: 'eu-west-1b', duration: 'PT4S' });
    expect(faultSource(given.fault)).toBe('fis-az-power');
    // The parsed request parses again to itself (it travels in the plan and is parsed by every step).
    expect(parseDrillRequest(given)).toEqual(given);
  });

  it.each([
    ['an unknown source', { source: 'kill -9' }, 'fault'],
    ['an unknown key', { source: 'fis-az-power', durationMinutes: 5 }, 'durationMinutes'],
    ['a duration that is not ISO 8601', { source: 'fis-az-power', duration: '5m' }, 'fault.duration'],
    ['a duration over PT12H', { source: 'fis-az-power', duration: 'PT13H' }, 'fault.duration'],
    ['a zero duration', { source: 'fis-az-power', duration: 'PT0S' }, 'fault.duration'],
    ['a zone that is no zone', { source: 'fis-az-power', availabilityZone: 'us-east-1' }, 'availabilityZone'],
    ['a string source it does not know', 'fis-az-power', 'fault'],
  ])('refuses %s by name', (_, fault, names) => {
    // Act
    const error = refusal({ replicationGroupId: 'orders', fault });

    // Assess
    expect(error).toBeInstanceOf(DrillInputError);
    expect(error.message).toContain(names);
  });

  it('refuses a power-off that outlasts the wait for recovery', () => {
    // Act
    const error = refusal({
      replicationGroupId: 'orders',
      fault: { source: 'fis-az-power', duration: 'PT15M' },
      recovery: { maxWaitSeconds: 900 },
    });

    // Assess
    expect(error).toBeInstanceOf(DrillInputError);
    expect(error.message).toContain('fault.duration PT15M must be shorter than recovery.maxWaitSeconds');
  });
});

describe('parseIsoDuration', () => {
  it('reads the durations FIS takes, and nothing else', () => {
    // Act
    const read = ['PT10M', 'PT90S', 'PT1H30M', 'PT12H', 'PT', 'P1D', '10M', 'PT1.5S', ''].map(
      parseIsoDuration,
    );

    // Assess
    expect(read).toEqual([
      600_000,
      90_000,
      5_400_000,
      43_200_000,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('reshard input', () => {
  it('takes nodeGroupCount as a whole number of node groups, and refuses anything else by name', () => {
    // Prepare
    const good = { source: 'reshard', nodeGroupCount: 3 };
    const bad = [
      { source: 'reshard' },
      { source: 'reshard', nodeGroupCount: 0 },
      { source: 'reshard', nodeGroupCount: 2.5 },
      { source: 'reshard', nodeGroupCount: 501 },
      { source: 'reshard', nodeGroupCount: 3, extra: true },
    ];

    // Act
    const parsed = reshardSchema.safeParse(good);
    const refused = bad.map((fault) => reshardSchema.safeParse(fault).success);

    // Assess
    expect(parsed.data).toEqual(good);
    expect(refused).toEqual([false, false, false, false, false]);
  });

  it('removes the last node groups when scaling in, and none when scaling out', () => {
    // Act
    const scaleIn = nodeGroupsToRemove(['0002', '0001', '0003'], 2);
    const scaleOut = nodeGroupsToRemove(['0001', '0002'], 3);

    // Assess
    expect(scaleIn).toEqual(['0003']);
    expect(scaleOut).toEqual([]);
  });
});
