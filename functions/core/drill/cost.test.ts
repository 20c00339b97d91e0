// The drill's cost at list price: the figures BENCHMARKS.md gives, and what the blast radius adds.
import { describe, expect, it } from 'vitest';
import { costOf, drillCost, LIST_PRICES } from './cost.js';
import { parseDrillRequest } from './request.js';

const defaults = { writesPerSecond: 1000, baselineSeconds: 5, settleSeconds: 5, pollWindowSeconds: 60 };

describe('drillCost', () => {
  it('gives the typical AWS failover BENCHMARKS.md states: 28 transitions, about $0.003', () => {
    // Act
    const cost = drillCost({ ...defaults, shardsWatched: 0 });
    // Assess
    expect(cost.transitions).toBe(28);
    // Writer 100 s at 1 GB, AwaitRecovery 300 s at 256 MB, Verify's read-back of 100,000 keys.
    expect(cost.lambdaGbSeconds).toBeCloseTo(100 + 75 + 100_000 / 118_153, 1);
    expect(cost.usd).toBeCloseTo(0.003, 3);
  });

  it('grows with the shards watched only by what Verify reads back', () => {
    // Act
    const [three, large] = [3, 500].map((shardsWatched) => drillCost({ ...defaults, shardsWatched }));
    // Assess
    expect(large!.transitions).toBe(three!.transitions);
    // 497 more shard writers at 100 writes/s for 100 s: 4,970,000 keys more to read back.
    expect(large!.lambdaGbSeconds - three!.lambdaGbSeconds).toBeCloseTo(4_970_000 / 118_153, 0);
    expect(large!.usd - three!.usd).toBeCloseTo((4_970_000 / 118_153) * LIST_PRICES.perGbSecond, 5);
  });

  it('costs a request from its writer and recovery settings and the shards it watches', () => {
    // Prepare
    const request = parseDrillRequest({ replicationGroupId: 'demo', recovery: { pollWindowSeconds: 30 } });
    const watched = { chosen: 'all' as const, watched: ['0001', '0002', '0003'], unwatched: 0 };
    // Act
    const cost = costOf(request, watched);
    // Assess
    expect(cost.shardsWatched).toBe(3);
    // 300 s of recovery in 10 windows of 30 s: 9 more windows, 2 transitions each.
    expect(cost.transitions).toBe(20 + 18);
  });
});
