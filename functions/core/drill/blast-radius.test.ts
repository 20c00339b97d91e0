// The blast radius a drill watches: all shards, or a named sample that always holds the target and its slot neighbours.
import { describe, expect, it } from 'vitest';
import { slotNeighbours, watchedShards } from './blast-radius.js';
import { parseDrillRequest } from './request.js';

/** n shards with even, contiguous slot ranges, named 0001… */
function shards(n: number): { nodeGroupId: string; slots: [number, number][] }[] {
  return Array.from({ length: n }, (_, i) => ({
    nodeGroupId: String(i + 1).padStart(4, '0'),
    slots: [[Math.floor((i * 16384) / n), Math.floor(((i + 1) * 16384) / n) - 1]],
  }));
}

describe('watchedShards', () => {
  it('watches every shard when the blast radius is "all"', () => {
    // Prepare
    const all = shards(64);
    // Act
    const watched = watchedShards(all, '0010', 'all');
    // Assess
    expect(watched.watched).toHaveLength(64);
    expect(watched.unwatched).toBe(0);
  });

  it('samples N shards: the target, its slot neighbours, and the rest drawn at random', () => {
    // Prepare
    const all = shards(64);
    // Act
    const first = watchedShards(all, '0010', { sample: 8 }, () => 0.3);
    const second = watchedShards(all, '0010', { sample: 8 }, () => 0.7);
    // Assess
    expect(slotNeighbours(all, '0010')).toEqual(['0009', '0011']);
    for (const watched of [first, second]) {
      expect(watched.watched).toHaveLength(8);
      expect(watched.unwatched).toBe(56);
      expect(watched.watched).toEqual(expect.arrayContaining(['0009', '0010', '0011']));
      expect(new Set(watched.watched).size).toBe(8);
    }
    // A different draw names different shards beyond the three always watched.
    expect(first.watched).not.toEqual(second.watched);
  });

  it('never watches fewer than the target and its neighbours, nor more than there are', () => {
    // Prepare
    const all = shards(5);
    // Act
    const small = watchedShards(all, '0001', { sample: 1 });
    const large = watchedShards(all, '0003', { sample: 50 });
    // Assess
    expect(small.watched).toEqual(['0001', '0002']);
    expect(large.watched).toHaveLength(5);
    expect(large.unwatched).toBe(0);
  });

  it('refuses a sample that is not a positive whole number, by name', () => {
    // Prepare
    const request = { replicationGroupId: 'demo' };
    // Act
    const refusals = [{ sample: 0 }, { sample: 1.5 }, { every: 3 }, 'some'].map((blastRadius) => {
      try {
        parseDrillRequest({ ...request, blastRadius });
        return undefined;
      } catch (error) {
        return (error as Error).name;
      }
    });
    // Assess
    expect(refusals).toEqual(['DrillInputError', 'DrillInputError', 'DrillInputError', 'DrillInputError']);
    expect(parseDrillRequest(request).blastRadius).toBe('all');
  });
});
