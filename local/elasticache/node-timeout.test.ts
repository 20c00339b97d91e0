/** The local cluster's node timeout by its size: 1 s up to 16 shards, then bounded by the bus's pings. */
import { describe, expect, it } from 'vitest';
import { nodeTimeoutMs } from './cluster-group.js';

describe('nodeTimeoutMs', () => {
  it('keeps 1 s up to 32 nodes and bounds the pings a second beyond', () => {
    // Act
    const timeouts = [6, 24, 32, 34, 128].map(nodeTimeoutMs);

    // Assess: the drills measured so far (≤ 16 shards) keep their 1 s
    expect(timeouts).toEqual([1000, 1000, 1000, 1122, 16256]);
    // 128 nodes pinging every other at least once in half the timeout: ~2,000 pings a second
    expect((2 * 128 * 127) / (16256 / 1000)).toBeLessThanOrEqual(2000);
  });
});
