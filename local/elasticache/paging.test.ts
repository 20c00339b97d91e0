import { describe, expect, it } from 'vitest';
import { paginate } from './paging.js';

describe('paginate', () => {
  const items = Array.from({ length: 45 }, (_, i) => ({ id: `n${i}` }));
  const key = (item: { id: string }) => item.id;

  it('walks every item once with markers, the last page without one', () => {
    // Prepare
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;

    // Act
    do {
      const out = paginate(items, key, 20, marker);
      seen.push(...out.page.map(key));
      marker = out.marker;
      pages++;
    } while (marker && pages < 10);

    // Assess
    expect(pages).toBe(3);
    expect(seen).toEqual(items.map(key));
  });

  it('keeps its place when items are added in front between two pages', () => {
    // Prepare
    const first = paginate(items, key, 20);

    // Act
    const second = paginate([{ id: 'newer' }, ...items], key, 20, first.marker);

    // Assess
    expect(second.page[0]).toEqual({ id: 'n20' });
  });

  it('refuses a marker it did not hand out', () => {
    // Prepare
    const marker = Buffer.from('nope').toString('base64url');

    // Act
    const read = () => paginate(items, key, 20, marker);

    // Assess
    expect(read).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
  });
});
