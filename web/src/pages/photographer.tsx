import { useState } from 'preact/hooks';
import type { PortfolioItem } from '../api/photographer';
import type { Page, Review, Tier } from '../api/types';
import { Lightbox } from '../components/lightbox';
import { type Shot, sources } from '../components/lightbox-rules';
import { Empty, ErrorMessage, Link, Loading, Stars, useApp, useAsync } from '../components/ui';
import { durationLabel, formatMoney, label, wallClock } from '../format';

const PORTFOLIO_PAGE = 24;

export function policyText(t: Tier): string {
  const when = t.min_hours_before === 0
    ? 'up to the start'
    : t.min_hours_before % 24 === 0
      ? `${t.min_hours_before / 24} day${t.min_hours_before === 24 ? '' : 's'} or more before`
      : `${t.min_hours_before} hours or more before`;
  return `Cancelled ${when}: ${t.refund_percent} % refunded`;
}

export function Photographer({ id }: { id: string }) {
  const { api } = useApp();
  const [profile, retry] = useAsync(() => api.photographer(id), [id]);
  if (profile.state === 'loading') return <Loading what="the photographer" />;
  if (profile.state === 'error') return <ErrorMessage error={profile.error} retry={retry} />;
  const p = profile.value;
  const policy = [...p.cancellation_policy].sort((a, b) => b.min_hours_before - a.min_hours_before);
  return (
    <article class="profile">
      <header class="profile-head">
        {p.cover_photo && (
          <img class="profile-cover" src={p.cover_photo.large_url} alt={`A photograph by ${p.display_name}`}
            width={p.cover_photo.width} height={p.cover_photo.height} style={{ backgroundColor: p.cover_photo.colour }} />
        )}
        <div>
          <h1>{p.display_name}</h1>
          <p class="muted">
            {p.city}, {p.country} · serves {p.service_radius_km} km around · {p.years_experience} years of experience
          </p>
          <p>
            <Stars average={p.rating.average} count={p.rating.count} />
          </p>
          <p class="tags">{p.specializations.map(label).join(' · ')}</p>
          <p>
            <Link class="button" href={`/photographers/${encodeURIComponent(p.id)}/book`}>
              Check availability and book
            </Link>
          </p>
        </div>
      </header>
      <section aria-labelledby="about">
        <h2 id="about">About</h2>
        <p class="bio">{p.bio}</p>
        {p.languages.length > 0 && <p class="muted">Speaks {p.languages.join(', ')}</p>}
      </section>
      <Portfolio id={p.id} name={p.display_name} />
      <section aria-labelledby="packages">
        <h2 id="packages">Packages and prices</h2>
        <p>
          Hourly rate <strong>{formatMoney(p.hourly_rate)}</strong>. A deposit of {p.deposit_percent} % secures a booking.
        </p>
        {p.packages.length === 0 ? (
          <Empty>
            <p>No packages: book by the hour.</p>
          </Empty>
        ) : (
          <ul class="packages">
            {p.packages.map((k) => (
              <li key={k.id}>
                <strong>{k.name}</strong> <span class="muted">{durationLabel(k.duration_minutes)}</span>{' '}
                <span class="price">{formatMoney(k.price)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="policy">
        <h2 id="policy">Cancellation policy</h2>
        <ul>
          {policy.map((t) => (
            <li key={t.min_hours_before}>{policyText(t)}</li>
          ))}
        </ul>
      </section>
      <Reviews id={p.id} />
    </article>
  );
}

function Reviews({ id }: { id: string }) {
  const { api } = useApp();
  const [first, retry] = useAsync(() => api.reviews(id), [id]);
  const [more, setMore] = useState<Review[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const next = cursor === undefined ? (first.state === 'done' ? first.value.next_cursor : null) : cursor;

  async function loadMore(c: string) {
    try {
      const page = await api.reviews(id, c);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
    }
  }
  const items = first.state === 'done' ? [...first.value.items, ...more] : [];
  return (
    <section aria-labelledby="reviews">
      <h2 id="reviews">Reviews</h2>
      {first.state === 'loading' && <Loading what="reviews" />}
      {first.state === 'error' && <ErrorMessage error={first.error} retry={retry} />}
      {first.state === 'done' && items.length === 0 && (
        <Empty>
          <p>No reviews yet.</p>
        </Empty>
      )}
      <ul class="reviews">
        {items.map((r) => (
          <li key={r.id}>
            <p>
              <strong>{r.author}</strong> <span aria-hidden="true">{'★'.repeat(r.rating)}</span>
              <span class="sr-only">{r.rating} out of 5 stars</span>{' '}
              <span class="muted">{wallClock(r.created_at).date}</span>
            </p>
            <p>{r.text}</p>
            {r.reply && (
              <blockquote class="reply">
                <p class="muted">The photographer replied:</p>
                <p>{r.reply.text}</p>
              </blockquote>
            )}
          </li>
        ))}
      </ul>
      {error !== null && <ErrorMessage error={error} />}
      {next && (
        <button type="button" class="button secondary" onClick={() => loadMore(next)}>
          More reviews
        </button>
      )}
    </section>
  );
}

/** A portfolio item as the lightbox shows it; without a caption, what it is and whose. */
export function portfolioShot(item: PortfolioItem, name: string): Shot {
  return {
    id: item.id, urls: item.urls, width: item.width, height: item.height, colour: item.colour, caption: item.caption,
    fallback: `${label(item.category)} photograph by ${name}`,
  };
}

function Portfolio({ id, name }: { id: string; name: string }) {
  const { api } = useApp();
  const page = (cursor: string | null) => api.request<Page<PortfolioItem>>(
    'GET', `/photographers/${encodeURIComponent(id)}/portfolio`, { query: { limit: PORTFOLIO_PAGE, cursor } },
  );
  const [first, retry] = useAsync(() => page(null), [id]);
  const [more, setMore] = useState<{ items: PortfolioItem[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [open, setOpen] = useState<number | null>(null);
  const items = first.state === 'done' ? [...first.value.items, ...(more?.items ?? [])] : [];
  const next = more ? more.cursor : first.state === 'done' ? first.value.next_cursor : null;
  const shots = items.map((item) => portfolioShot(item, name));

  async function loadMore() {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const p = await page(next);
      setMore((m) => ({ items: [...(m?.items ?? []), ...p.items], cursor: p.next_cursor }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }
  // Reaching the last photo loaded reads the next page, so "Next" goes on past it.
  function move(i: number) {
    setOpen(i);
    if (i >= items.length - 1) void loadMore();
  }

  return (
    <section aria-labelledby="portfolio">
      <h2 id="portfolio">Portfolio</h2>
      {first.state === 'loading' && <Loading what="the portfolio" />}
      {first.state === 'error' && <ErrorMessage error={first.error} retry={retry} />}
      {first.state === 'done' && items.length === 0 && (
        <Empty>
          <p>{name} has not published any photos yet.</p>
        </Empty>
      )}
      {items.length > 0 && (
        <ul class="portfolio-grid">
          {shots.map((shot, i) => {
            const { src, srcset } = sources(shot.urls, shot.width, shot.height);
            return (
              <li key={shot.id}>
                <button type="button" class="thumb" onClick={() => setOpen(i)} aria-haspopup="dialog">
                  <img
                    src={src} srcset={srcset || undefined} loading="lazy" decoding="async"
                    sizes="(min-width: 1000px) 25vw, (min-width: 700px) 33vw, 50vw"
                    alt={shot.caption?.trim() || shot.fallback}
                    width={shot.width ?? undefined} height={shot.height ?? undefined}
                    style={shot.colour ? { backgroundColor: shot.colour } : undefined}
                  />
                  <span class="sr-only">, open larger</span>
                </button>
                {shot.caption?.trim() && <p class="thumb-caption">{shot.caption.trim()}</p>}
              </li>
            );
          })}
        </ul>
      )}
      {moreError !== null && <ErrorMessage error={moreError} retry={loadMore} />}
      {next && (
        <button type="button" class="button secondary more" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading more photos…' : 'More photos'}
        </button>
      )}
      {open !== null && shots.length > 0 && (
        <Lightbox shots={shots} index={open} label={`Portfolio of ${name}`} onIndex={move} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}
