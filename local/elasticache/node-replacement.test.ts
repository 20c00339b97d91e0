/** ModifyReplicationGroup's CacheNodeType and EngineVersion: each refusal by AWS's name, and a valid change. */
import { describe, expect, it } from 'vitest';
import type { GroupView } from './group.js';
import { checkModifyReplicationGroup, compareVersions } from './node-replacement.js';

const view: GroupView & { cacheNodeType: string } = {
  id: 'g',
  clusterMode: 'disabled',
  nodeGroups: [],
  tls: false,
  authToken: false,
  engineVersion: '7.2.4',
  createdAt: new Date(0),
  cacheNodeType: 'cache.t4g.micro',
};

/** The fault's code, or 'ok' when the change is accepted. */
function judged(input: Parameters<typeof checkModifyReplicationGroup>[1]): string {
  try {
    checkModifyReplicationGroup(view, input);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('checkModifyReplicationGroup', () => {
  it('refuses by name what AWS refuses, and takes a scale or an upgrade', () => {
    // Prepare
    const cases = {
      nothing: { applyImmediately: true },
      sameType: { cacheNodeType: 'cache.t4g.micro', applyImmediately: true },
      badType: { cacheNodeType: 'm5.large', applyImmediately: true },
      downgrade: { engineVersion: '6.2', applyImmediately: true },
      badVersion: { engineVersion: 'latest', applyImmediately: true },
      deferred: { cacheNodeType: 'cache.r7g.large', applyImmediately: false },
      scale: { cacheNodeType: 'cache.r7g.large', applyImmediately: true },
      upgrade: { engineVersion: '7.2.5', applyImmediately: true },
    };

    // Act
    const answers = Object.fromEntries(Object.entries(cases).map(([name, input]) => [name, judged(input)]));

    // Assess
    expect(answers).toEqual({
      nothing: 'InvalidParameterCombination',
      sameType: 'InvalidParameterCombination',
      badType: 'InvalidParameterValue',
      downgrade: 'InvalidParameterCombination',
      badVersion: 'InvalidParameterValue',
      deferred: 'InvalidParameterValue',
      scale: 'ok',
      upgrade: 'ok',
    });
    expect([compareVersions('7.1', '7.0.15'), compareVersions('7.2', '7.2.0')]).toEqual([1, 0]);
  });
});
