import { recommendations } from '../../api/client-area';
import { ErrorMessage, Link, Loading, Stars, useApp, useAsync } from '../../components/ui';
import { formatMoney, label } from '../../format';

/** Photographers recommended to a signed-in client, each with the reasons. */
export function Recommended() {
  const { api, session } = useApp();
  const [recs, retry] = useAsync(() => recommendations(api), [session?.user.id]);
  if (recs.state === 'done' && recs.value.items.length === 0) return null;
  return (
    <section aria-labelledby="recs-title" class="recs">
      <h2 id="recs-title">
        {recs.state === 'done' && recs.value.personalized ? 'Recommended for you' : 'Photographers clients love'}
      </h2>
      {recs.state === 'loading' && <Loading what="recommendations" />}
      {recs.state === 'error' && <ErrorMessage error={recs.error} retry={retry} />}
      {recs.state === 'done' && (
        <ul class="cards">
          {recs.value.items.map(({ photographer: p, reasons }) => (
            <li class="card" key={p.id}>
              {p.cover_photo ? (
                <img src={p.cover_photo.url} alt="" width={p.cover_photo.width} height={p.cover_photo.height}
                  loading="lazy" decoding="async" style={{ backgroundColor: p.cover_photo.colour }} />
              ) : (
                <div class="cover-placeholder" aria-hidden="true" />
              )}
              <div class="card-body">
                <h3>
                  <Link href={`/photographers/${encodeURIComponent(p.id)}`}>{p.display_name}</Link>
                </h3>
                <p class="muted">{p.city}, {p.country}</p>
                <p><Stars average={p.rating.average} count={p.rating.count} /></p>
                <p>From <strong>{formatMoney(p.hourly_rate)}</strong> an hour</p>
                <p class="tags">{p.specializations.map(label).join(' · ')}</p>
                {reasons.length > 0 && (
                  <ul class="reasons" aria-label={`Why ${p.display_name}`}>
                    {reasons.slice(0, 3).map((r) => <li key={r.code}>{r.text}</li>)}
                  </ul>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
