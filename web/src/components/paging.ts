// Reading a cursor-paginated listing (`next_cursor`) a few pages at a time.

export interface Pages<T, P> { items: T[]; cursor: string | null; /** The last page read, whole. */ last: P }

/** Pages read in one go at most: a filtered listing (a gallery's favourites) can answer
 * empty pages that still have a cursor (the filter applies after a page is read). */
export const MAX_PAGES = 20;

/**
 * Reads from `cursor` on until at least `atLeast` items are in (at least one page),
 * the listing ends, or `MAX_PAGES` were read. Reading a listing again (a gallery
 * for fresh links) asks for as many items as were shown, so "Show more" is not undone.
 */
export async function readPages<T, P extends { items: T[]; next_cursor: string | null }>(
  load: (cursor: string | null) => Promise<P>,
  atLeast: number,
  cursor: string | null = null,
): Promise<Pages<T, P>> {
  let last = await load(cursor);
  const items: T[] = [...last.items];
  for (let i = 1; i < MAX_PAGES && last.next_cursor && items.length < Math.max(1, atLeast); i++) {
    last = await load(last.next_cursor);
    items.push(...last.items);
  }
  return { items, cursor: last.next_cursor, last };
}
