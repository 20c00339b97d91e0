/** scale's and engine-upgrade's input forms and their refusals; their guardrails, each refusal by name. */
import type { ReplicationGroup } from '@aws-sdk/client-elasticache';
import { describe, expect, it } from 'vitest';
import { engineUpgrade, engineUpgradeSchema } from './engine-upgrade.js';
import type { FaultScope } from './index.js';
import { scale, scaleSchema } from './scale.js';

describe('scale and engine-upgrade input', () => {
  it('takes a node type and an engine version, and refuses anything else', () => {
    // Prepare
    const good = [
      scaleSchema.safeParse({ source: 'scale', cacheNodeType: 'cache.r7g.large' }),
      engineUpgradeSchema.safeParse({ source: 'engine-upgrade', engineVersion: '7.1' }),
      engineUpgradeSchema.safeParse({ source: 'engine-upgrade', engineVersion: '7.2.4' }),
    ];
    const bad = [
      scaleSchema.safeParse({ source: 'scale' }),
      scaleSchema.safeParse({ source: 'scale', cacheNodeType: 'r7g.large' }),
      scaleSchema.safeParse({ source: 'scale', cacheNodeType: 'cache.r7g.large', extra: 1 }),
      engineUpgradeSchema.safeParse({ source: 'engine-upgrade', engineVersion: 'latest' }),
      engineUpgradeSchema.safeParse({ source: 'engine-upgrade', engineVersion: 7 }),
    ];

    // Act
    const accepted = good.map((r) => r.success);
    const refused = bad.map((r) => r.success);

    // Assess
    expect(accepted).toEqual([true, true, true]);
    expect(refused).toEqual([false, false, false, false, false]);
  });

  it('refuses a change that changes nothing, or one on top of a pending modification, by name', () => {
    // Prepare
    const group = (extra: Partial<ReplicationGroup>): FaultScope =>
      ({
        group: { ReplicationGroupId: 'g', CacheNodeType: 'cache.t4g.micro', ...extra },
        nodeGroup: {},
      }) as FaultScope;
    const pending = { PendingModifiedValues: { PrimaryClusterId: 'g-002' } };
    const guardrails = (judge: (refuse: (name: string) => void) => void) => {
      const names: string[] = [];
      judge((name) => names.push(name));
      return names;
    };
    const toLarge = { source: 'scale' as const, cacheNodeType: 'cache.r7g.large' };
    const toMicro = { source: 'scale' as const, cacheNodeType: 'cache.t4g.micro' };
    const upgrade = { source: 'engine-upgrade' as const, engineVersion: '7.2' };

    // Act
    const answers = [
      guardrails((r) => scale.guardrails.judge(toLarge, group({}), r)),
      guardrails((r) => scale.guardrails.judge(toMicro, group({}), r)),
      guardrails((r) => scale.guardrails.judge(toLarge, group(pending), r)),
      guardrails((r) => engineUpgrade.guardrails.judge(upgrade, group({}), r)),
      guardrails((r) => engineUpgrade.guardrails.judge(upgrade, group(pending), r)),
    ];

    // Assess
    expect(answers).toEqual([
      [],
      ['nothing-to-change'],
      ['modification-pending'],
      [],
      ['modification-pending'],
    ]);
  });
});
