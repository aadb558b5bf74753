import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { SPECIALIZATIONS, type PublicProfile } from '../api/types';
import { fieldErrors } from '../api/problem';
import { Empty, ErrorMessage, Field, Link, Loading, Stars, useApp, useAsync } from '../components/ui';
import { formatMoney, label, toMinor } from '../format';
import { navigate } from '../router';

export const CURRENCIES = ['INR', 'GBP', 'USD', 'AUD', 'EUR', 'BRL', 'JPY'];

/** The search form's values as the URL keeps them (so a search can be shared and the
 * back button returns to it), and the API query they make. */
export function searchQuery(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  const city = q.get('city')?.trim();
  if (city) out.city = city;
  const spec = q.get('specialization');
  if (spec) out.specialization = spec;
  const rating = q.get('min_rating');
  if (rating) out.min_rating = rating;
  const currency = q.get('currency');
  if (currency) out.currency = currency;
  const max = Number(q.get('max_price'));
  if (q.get('max_price') && Number.isFinite(max) && max > 0 && currency) {
    out.max_hourly_rate = String(toMinor(max, currency));
  }
  return out;
}

/** `children` show under the filters (the client area's recommendations). */
export function Search({ query, children }: { query: URLSearchParams; children?: ComponentChildren }) {
  const { api } = useApp();
  const key = query.toString();
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<PublicProfile[]>([]);
  const [results, retry] = useAsync(() => {
    setMore([]);
    setCursor(null);
    return api.searchPhotographers({ ...searchQuery(query), limit: 12 });
  }, [key]);
  const [localError, setLocalError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const { byField } = fieldErrors(results.state === 'error' ? results.error : null);

  function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    for (const name of ['city', 'specialization', 'min_rating', 'max_price', 'currency']) {
      const v = String(form.get(name) ?? '').trim();
      if (v) params.set(name, v);
    }
    if (params.get('max_price') && !params.get('currency')) {
      setLocalError('Choose the currency of the highest hourly rate.');
      return;
    }
    setLocalError(null);
    navigate(`/?${params.toString()}`);
  }

  async function loadMore(next: string) {
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await api.searchPhotographers({ ...searchQuery(query), limit: 12, cursor: next });
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor ?? '');
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  const items = results.state === 'done' ? [...results.value.items, ...more] : [];
  const nextCursor = cursor === null ? (results.state === 'done' ? results.value.next_cursor : null) : cursor || null;

  return (
    <section>
      <h1>Find a photographer</h1>
      <form class="filters" onSubmit={submit} role="search" aria-label="Photographers" key={key}>
        <Field id="f-city" label="City" error={byField.city}>
          {(a) => <input {...a} name="city" defaultValue={query.get('city') ?? ''} placeholder="e.g. Hyderabad" />}
        </Field>
        <Field id="f-spec" label="Kind of shoot" error={byField.specialization}>
          {(a) => (
            <select {...a} name="specialization">
              <option value="">Any</option>
              {SPECIALIZATIONS.map((s) => (
                <option value={s} key={s} selected={query.get('specialization') === s}>
                  {label(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="f-rating" label="Rating" error={byField.min_rating}>
          {(a) => (
            <select {...a} name="min_rating">
              <option value="">Any</option>
              {['3', '4', '4.5'].map((r) => (
                <option value={r} key={r} selected={query.get('min_rating') === r}>
                  {r} stars and up
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="f-max" label="Highest hourly rate" error={localError ?? byField.max_hourly_rate}>
          {(a) => (
            <input {...a} name="max_price" type="number" min="1" step="any" inputMode="decimal"
              defaultValue={query.get('max_price') ?? ''} />
          )}
        </Field>
        <Field id="f-currency" label="Currency" error={byField.currency}>
          {(a) => (
            <select {...a} name="currency">
              <option value="">Any</option>
              {CURRENCIES.map((c) => (
                <option value={c} key={c} selected={query.get('currency') === c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="filters-submit">
          <button class="button" type="submit">
            Search
          </button>
        </div>
      </form>
      {children}

      <div aria-live="polite">
        {results.state === 'loading' && <Loading what="photographers" />}
        {results.state === 'error' && <ErrorMessage error={results.error} retry={retry} />}
        {results.state === 'done' && items.length === 0 && (
          <Empty>
            <p>No photographer matches these filters.</p>
            <p>
              Try another city or kind of shoot, or <Link href="/">clear the filters</Link>.
            </p>
          </Empty>
        )}
        {results.state === 'done' && items.length > 0 && (
          <p class="muted">
            {items.length} photographer{items.length === 1 ? '' : 's'}
            {nextCursor ? ' so far' : ''}
          </p>
        )}
      </div>
      {items.length > 0 && (
        <ul class="cards">
          {items.map((p) => (
            <ProfileCard p={p} key={p.id} />
          ))}
        </ul>
      )}
      {moreError !== null && <ErrorMessage error={moreError} />}
      {nextCursor && (
        <button class="button secondary" type="button" disabled={loadingMore} onClick={() => loadMore(nextCursor)}>
          {loadingMore ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}

function ProfileCard({ p }: { p: PublicProfile }) {
  return (
    <li class="card">
      {p.cover_photo ? (
        <img src={p.cover_photo.url} alt="" width={p.cover_photo.width} height={p.cover_photo.height}
          loading="lazy" decoding="async" style={{ backgroundColor: p.cover_photo.colour }} />
      ) : (
        <div class="cover-placeholder" aria-hidden="true" />
      )}
      <div class="card-body">
        <h2>
          <Link href={`/photographers/${encodeURIComponent(p.id)}`}>{p.display_name}</Link>
        </h2>
        <p class="muted">
          {p.city}, {p.country}
          {p.distance_km !== undefined && ` · ${p.distance_km.toFixed(1)} km away`}
        </p>
        <p>
          <Stars average={p.rating.average} count={p.rating.count} />
        </p>
        <p>
          From <strong>{formatMoney(p.hourly_rate)}</strong> an hour
        </p>
        <p class="tags">{p.specializations.map(label).join(' · ')}</p>
      </div>
    </li>
  );
}
