// The drill's cost at list price: the figures BENCHMARKS.md gives, and what the blast radius adds.
import { describe, expect, it } from 'vitest';
import { costOf, DRILL_SHAPE, drillCost, LIST_PRICES } from './cost.js';
import { parseDrillRequest } from './request.js';

const defaults = { writesPerSecond: 1000, baselineSeconds: 5, settleSeconds: 5, pollWindowSeconds: 60 };

describe('drillCost', () => {
  it('gives the typical AWS failover BENCHMARKS.md states: 30 transitions, about $0.003', () => {
    // Act
    const cost = drillCost({ ...defaults, shardsWatched: 0 });
    // Assess
    expect(cost.transitions).toBe(30);
    // Writer 100 s at 1 GB, AwaitRecovery 300 s at 256 MB, Verify's read-back of 100,000 keys.
    expect(cost.lambdaGbSeconds).toBeCloseTo(100 + 75 + 100_000 / 118_153, 1);
    expect(cost.usd).toBeCloseTo(0.003, 3);
  });

  it('grows with the shards watched only by what Verify reads back, in one invocation', () => {
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
    expect(cost.transitions).toBe(22 + 18);
  });

  it("adds a transition, an invocation and a writer's GB-seconds for each group of the fan-out", () => {
    // Prepare: 500 shards at 16 an invocation: the probe's group and 31 Map items.
    const request = parseDrillRequest({ replicationGroupId: 'demo' });
    const ids = Array.from({ length: 500 }, (_, i) => String(i + 1).padStart(4, '0'));
    const all = (n: number) => ({ chosen: 'all' as const, watched: ids.slice(0, n), unwatched: 0 });
    // Act
    const [sixteen, five] = [costOf(request, all(16)), costOf(request, all(500))];
    // Assess
    expect(five.transitions - sixteen.transitions).toBe(31);
    const writerSeconds =
      request.writer.baselineSeconds + DRILL_SHAPE.typicalFailoverWriteSeconds + request.writer.settleSeconds;
    const readBack = (484 * DRILL_SHAPE.shardWriterRate * writerSeconds) / DRILL_SHAPE.verifyKeysPerSecond;
    expect(five.lambdaGbSeconds - sixteen.lambdaGbSeconds).toBeCloseTo(31 * writerSeconds + readBack, 0);
    expect(five.basis).toContain('32 Write invocations');
  });
});
