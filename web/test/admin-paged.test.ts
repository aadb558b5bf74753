import { describe, expect, it } from 'vitest';
import type { Page } from '../src/api/types';
import { readPastEmpty } from '../src/pages/admin/paged';

/** Pages by cursor: '' is the first. */
function listing(pages: Record<string, Page<number>>) {
  const asked: (string | null)[] = [];
  return {
    asked,
    load: async (cursor: string | null) => {
      asked.push(cursor);
      const page = pages[cursor ?? ''];
      if (!page) throw new Error(`no page ${cursor}`);
      return page;
    },
  };
}

describe('reading a filtered listing past its empty pages', () => {
  it('reads on until a page has items, and answers that page with its cursor', async () => {
    const l = listing({ '': { items: [], next_cursor: 'a' }, a: { items: [], next_cursor: 'b' }, b: { items: [1, 2], next_cursor: 'c' } });
    expect(await readPastEmpty(l.load, null)).toEqual({ items: [1, 2], next_cursor: 'c' });
    expect(l.asked).toEqual([null, 'a', 'b']);
  });

  it('stops at the last page, empty or not', async () => {
    const l = listing({ x: { items: [], next_cursor: null } });
    expect(await readPastEmpty(l.load, 'x')).toEqual({ items: [], next_cursor: null });
    expect(l.asked).toEqual(['x']);
  });

  it('reads a bounded number of pages, then answers the empty one with its cursor to go on from', async () => {
    const pages: Record<string, Page<number>> = {};
    for (let i = 0; i < 20; i++) pages[i === 0 ? '' : String(i)] = { items: [], next_cursor: String(i + 1) };
    const l = listing(pages);
    expect(await readPastEmpty(l.load, null, 3)).toEqual({ items: [], next_cursor: '3' });
    expect(l.asked).toEqual([null, '1', '2']);
  });

  it('does not read on past a page with items', async () => {
    const l = listing({ '': { items: [5], next_cursor: 'a' } });
    await readPastEmpty(l.load, null);
    expect(l.asked).toEqual([null]);
  });
});
