import { useState } from 'preact/hooks';
import type { Page } from '../../api/types';
import { ErrorMessage, useAsync, type Async } from '../../components/ui';

/** Empty pages read in a row before the listing shows what it has. */
const EMPTY_PAGES_READ = 8;

/** A filtered listing can answer an empty page that still has a cursor (the filter
 * applies after the page is read): reads on, `max` pages at most, until a page has
 * items or is the last. */
export async function readPastEmpty<T>(
  loadPage: (cursor: string | null) => Promise<Page<T>>,
  cursor: string | null,
  max = EMPTY_PAGES_READ,
): Promise<Page<T>> {
  let page = await loadPage(cursor);
  for (let i = 1; i < max && page.items.length === 0 && page.next_cursor; i++) {
    page = await loadPage(page.next_cursor);
  }
  return page;
}

export interface Paged<T> {
  first: Async<Page<T>>;
  retry: () => void;
  /** Every item loaded so far, with local changes (a deactivation, a triage) applied. */
  items: T[];
  next: string | null;
  more: () => void;
  loadingMore: boolean;
  moreError: unknown;
  /** Puts an item the API answered in place of the one with its id. */
  replace: (item: T) => void;
}

/** A cursor-paginated listing: the first page whenever the filters (`deps`) change,
 * then "Show more" pages with the same filters and the cursor the last page gave. */
export function usePaged<T extends { id: string }>(loadPage: (cursor: string | null) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const load = (cursor: string | null) => readPastEmpty(loadPage, cursor);
  const [extra, setExtra] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const [changed, setChanged] = useState<Record<string, T>>({});
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [first, retry] = useAsync(() => {
    setExtra(null);
    setMoreError(null);
    return load(null);
  }, deps);
  const loaded = first.state === 'done' ? [...first.value.items, ...(extra?.items ?? [])] : [];
  const next = extra ? extra.cursor : first.state === 'done' ? first.value.next_cursor : null;
  async function more() {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await load(next);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.next_cursor }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }
  return {
    first, retry, next, more, loadingMore, moreError,
    items: loaded.map((i) => changed[i.id] ?? i),
    replace: (item) => setChanged((c) => ({ ...c, [item.id]: item })),
  };
}

/** The "Show more" button under a listing, with its own error. */
export function MoreButton<T extends { id: string }>({ p, what }: { p: Paged<T>; what: string }) {
  if (p.first.state !== 'done') return null;
  return (
    <div class="more">
      {p.moreError ? <ErrorMessage error={p.moreError} retry={p.more} /> : null}
      {p.next && p.items.length === 0 && <p>None found in what has been read so far; there is more to look through.</p>}
      {p.next ? (
        <button type="button" class="button secondary" onClick={p.more} disabled={p.loadingMore}>
          {p.loadingMore ? `Loading more ${what}…` : `Show more ${what}`}
        </button>
      ) : (
        p.items.length > 0 && <p class="muted">All {p.items.length} {what} shown.</p>
      )}
    </div>
  );
}
