import { describe, expect, it } from 'vitest';
import { FailoverBudget } from './budget.js';

const HOUR = 60 * 60 * 1000;

describe('FailoverBudget', () => {
  it('allows 15 node groups per rolling 24 hours', () => {
    // Prepare
    let now = 0;
    const budget = new FailoverBudget(undefined, () => now);
    const taken: boolean[] = [];

    // Act
    for (let i = 0; i < 15; i++) {
      taken.push(budget.take());
      now += HOUR;
    }
    const sixteenth = budget.take();
    now = 24 * HOUR; // the first use (at 0) leaves the window
    const afterFirstExpires = budget.take();
    const rightAfter = budget.take();

    // Assess
    expect(taken.every(Boolean)).toBe(true);
    expect(sixteenth).toBe(false);
    expect(afterFirstExpires).toBe(true);
    expect(rightAfter).toBe(false);
    expect(budget.remaining()).toBe(0);
  });
});
