import { describe, expect, it } from 'vitest';
import { LocalCloudOptionsError, resolveOptions } from '../local/cloud.js';
import { emulatorCommand } from './commands.js';
import { cloudOptions } from './emulator.js';

describe('emulator flags', () => {
  it('maps every flag onto the local cloud options', () => {
    // Prepare
    const command = emulatorCommand();
    command.action(() => {}); // parse only
    command.parse(
      [
        '--port',
        '4566',
        '--cluster-mode',
        'enabled',
        '--shards',
        '3',
        '--replicas',
        '1',
        '--no-opt-in-tag',
        '--tls',
        '--auth',
        '--graceful',
        '--detection-delay-ms',
        '250',
        '--group-id',
        'game-day',
        '--sns-log',
        'sns.jsonl',
      ],
      { from: 'user' },
    );

    // Act
    const options = cloudOptions(command.opts());

    // Assess
    expect(options).toEqual({
      port: 4566,
      clusterMode: 'enabled',
      shards: 3,
      replicas: 1,
      replicationLagMs: undefined,
      optInTag: false,
      tls: true,
      auth: true,
      graceful: true,
      detectionDelayMs: 250,
      groupId: 'game-day',
      snsLogFile: 'sns.jsonl',
    });
    expect(resolveOptions(options)).toMatchObject({ shards: 3, replicas: 1, optInTag: false });
  });

  it('defaults to a disabled-mode drill-demo group with the opt-in tag', () => {
    // Prepare
    const command = emulatorCommand();
    command.action(() => {});
    command.parse([], { from: 'user' });

    // Act
    const resolved = resolveOptions(cloudOptions(command.opts()));

    // Assess
    expect(resolved).toMatchObject({
      clusterMode: 'disabled',
      shards: 1,
      replicas: 2,
      replicationLagMs: 0,
      optInTag: true,
      groupId: 'drill-demo',
      detectionDelayMs: 500,
    });
  });

  it('refuses what the local cloud cannot do', () => {
    // Prepare
    const refused = [
      { clusterMode: 'enabled' as const, replicationLagMs: 100 },
      { shards: 2 },
      { replicas: 6 },
      { groupId: 'Bad_Id' },
      // Cluster mode enabled has no primary endpoint whose name could lag
      { clusterMode: 'enabled' as const, failoverModel: 'realistic' as const, dnsTtlMs: 100 },
    ];

    // Act
    const attempts = refused.map((o) => () => resolveOptions(o));

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(LocalCloudOptionsError);
  });
});
