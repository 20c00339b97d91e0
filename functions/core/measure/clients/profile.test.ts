import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DrillInputError } from '../../../shared/errors.js';
import { CLIENT_PRESETS, LIBRARY_PACKAGES, resolveClientProfiles, retryDelay } from './profile.js';
import { profileKeyBase, profileRunId } from './profile-keys.js';

describe('client profiles', () => {
  it('resolves every preset to a valid profile named after it', () => {
    // Act
    const profiles = resolveClientProfiles(Object.keys(CLIENT_PRESETS));
    // Assess
    expect(profiles.map((p) => p.name)).toEqual(Object.keys(CLIENT_PRESETS));
    expect(profiles.find((p) => p.name === 'ioredis-recommended')?.options).toMatchObject({
      reconnectOnError: { errors: ['READONLY'], resend: true },
    });
  });

  it('refuses an unknown option by name, per library', () => {
    // Prepare
    const bad = { name: 'mine', library: 'node-redis', options: { retryStrategy: { kind: 'none' } } };
    // Act
    const refuse = () => resolveClientProfiles([bad]);
    // Assess
    expect(refuse).toThrow(DrillInputError);
    expect(refuse).toThrow(/client profile 'mine'.*retryStrategy/);
  });

  it('refuses an unknown preset, an unknown library, a function-like value and a name used twice', () => {
    expect(() => resolveClientProfiles(['ioredis-fastest'])).toThrow(
      /unknown client preset 'ioredis-fastest'/,
    );
    expect(() => resolveClientProfiles([{ name: 'x', library: 'jedis', options: {} }])).toThrow(
      DrillInputError,
    );
    expect(() =>
      resolveClientProfiles([{ name: 'x', library: 'ioredis', options: { retryStrategy: 'times => 50' } }]),
    ).toThrow(/retryStrategy/);
    expect(() => resolveClientProfiles(['ioredis-defaults', 'ioredis-defaults'])).toThrow(/used twice/);
    expect(() => resolveClientProfiles([{ name: 'Has:colon', library: 'ioredis' }])).toThrow(/name/);
    expect(() => resolveClientProfiles([{ name: 'shard-0001', library: 'ioredis' }])).toThrow(/reserved/);
  });

  it('turns a declarative backoff into delays, and stops after maxAttempts', () => {
    const policy = {
      kind: 'exponential',
      baseMs: 50,
      maxMs: 400,
      factor: 2,
      jitter: false,
      maxAttempts: 5,
    } as const;
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(policy, n))).toEqual([50, 100, 200, 400, 400, null]);
    expect(retryDelay({ kind: 'none' }, 1)).toBeNull();
    expect(retryDelay({ kind: 'constant', delayMs: 7 }, 99)).toBe(7);
    expect(retryDelay({ ...policy, jitter: true }, 3, () => 0.5)).toBe(100);
  });

  it('pins the libraries it reports at the versions package.json installs', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // Assess
    for (const { package: name, version } of Object.values(LIBRARY_PACKAGES))
      expect(pkg.dependencies[name], name).toBe(version);
  });

  it("keeps each profile's keys outside the probe's pattern, also for the longest run id", () => {
    // Prepare
    const longRunId = 'r'.repeat(80);
    // Act
    const keyBase = profileKeyBase({ prefix: 'fd', runId: 'run1', cluster: false }, 'ioredis-defaults');
    const long = profileRunId(longRunId, 'ioredis-recommended');
    // Assess
    expect(keyBase).toBe('fd:run1.c-ioredis-defaults');
    expect(`${keyBase}:1`.startsWith('fd:run1:')).toBe(false);
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).not.toBe(profileRunId(`${'r'.repeat(79)}s`, 'ioredis-recommended'));
  });
});
