/** The memory headroom of a scale-in, judged on plain figures: no server. */
import { describe, expect, it } from 'vitest';
import { HEADROOM_FACTOR, headroomOf } from './memory-headroom.js';

const MB = 2 ** 20;

describe('headroomOf', () => {
  it('needs 1.5× what the removed shards use, free on the retained ones', () => {
    // Prepare
    const shards = [
      { nodeGroupId: '0001', usedBytes: 10 * MB, maxBytes: 40 * MB },
      { nodeGroupId: '0002', usedBytes: 20 * MB, maxBytes: 40 * MB },
      { nodeGroupId: '0003', usedBytes: 30 * MB, maxBytes: 40 * MB },
    ];

    // Act
    const headroom = headroomOf(shards, ['0003']);

    // Assess
    expect(headroom).toEqual({ free: 50 * MB, needed: HEADROOM_FACTOR * 30 * MB, unknown: [] });
  });

  it('names the node groups without figures, so that the guardrail refuses rather than guess', () => {
    // Prepare
    const shards = [
      { nodeGroupId: '0001', usedBytes: 10 * MB, maxBytes: null },
      { nodeGroupId: '0002', usedBytes: null, maxBytes: 40 * MB },
    ];

    // Act
    const headroom = headroomOf(shards, ['0002']);

    // Assess
    expect(headroom.unknown).toEqual(['0001', '0002']);
  });
});
