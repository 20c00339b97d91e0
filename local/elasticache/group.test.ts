import { describe, expect, it } from 'vitest';
import { nodeGroupId, pickLeastLagged } from './group.js';

describe('pickLeastLagged', () => {
  it('takes the highest offset, and the first in member order on a tie', () => {
    // Prepare
    const replicas = [
      { id: 'g-002', offset: 100 },
      { id: 'g-003', offset: 250 },
      { id: 'g-004', offset: 250 },
    ];

    // Act
    const best = pickLeastLagged(replicas);
    const none = pickLeastLagged([]);

    // Assess
    expect(best?.id).toBe('g-003');
    expect(none).toBeUndefined();
  });
});

describe('nodeGroupId', () => {
  it('writes node group ids as ElastiCache does', () => {
    // Prepare
    const indices = [0, 1, 14];

    // Act
    const ids = indices.map(nodeGroupId);

    // Assess
    expect(ids).toEqual(['0001', '0002', '0015']);
  });
});
