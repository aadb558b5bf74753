import { useState } from 'preact/hooks';
import type { Review, Tier } from '../api/types';
import { Empty, ErrorMessage, Link, Loading, Stars, useApp, useAsync } from '../components/ui';
import { durationLabel, formatMoney, label, wallClock } from '../format';

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
