// A booking's client gallery (`/bookings/{id}/gallery`, a chunk of its own): the
// delivered photos, favourites marked at once and put back when the API refuses,
// favourites only on request (kept in the URL), full-size downloads, and when the
// photos are deleted. The photographer opening it sees every photo with its state and
// the client's favourites, read only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getGallery, markFavourite } from '../../api/client-area';
import { describe } from '../../api/problem';
import type { GalleryPage, GalleryPhoto } from '../../api/types';
import { Lightbox } from '../../components/lightbox';
import { type Shot, sources } from '../../components/lightbox-rules';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync, useNow } from '../../components/ui';
import { navigate } from '../../router';
import {
  countText, expiryText, type Favs, favFailed, favSettled, galleryShot, isFavourite, linksStale, notDeliveredYet,
  type Pages, readPages, seedFavs, sizeText, toggleFav,
} from './gallery-rules';

const PAGE_SIZE = 30;


export function GalleryScreen({ id, query }: { id: string; query: URLSearchParams }) {
  const { api, session } = useApp();
  const client = session?.user.role === 'client';
  const favouritesOnly = query.get('favourites') === 'true';
  const load = (cursor: string | null) => getGallery(api, id, { favourites: favouritesOnly, cursor, limit: PAGE_SIZE });
  // How many photos were shown, so reading again for fresh links keeps them all.
  // A new filter starts at its first page.
  const shown = useRef({ key: '', count: 0 });
  const key = `${id}|${favouritesOnly}`;
  const [extra, setExtra] = useState<Pages<GalleryPhoto, GalleryPage> | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [first, retry] = useAsync(() => {
    setExtra(null);
    setMoreError(null);
    return readPages<GalleryPhoto, GalleryPage>(load, shown.current.key === key ? shown.current.count : 0);
  }, [id, favouritesOnly]);
  const [favs, setFavsState] = useState<Favs>({});
  // Every change goes through the ref, so a click's request is tagged from the state
  // the click saw, never from a render that has not happened yet.
  const favsRef = useRef<Favs>({});
  const setFavs = (change: (f: Favs) => Favs) => {
    favsRef.current = change(favsRef.current);
    setFavsState(favsRef.current);
  };
  const [favError, setFavError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const now = useNow(10_000);
  const photos = first.state === 'done' ? [...first.value.items, ...(extra?.items ?? [])] : [];
  const stale = linksStale(photos, now);
  // When the links run out the viewer closes (its larger sizes would not load), and
  // does not open again by itself once fresh links are read.
  useEffect(() => {
    if (stale) setOpen(null);
  }, [stale]);

  useEffect(() => {
    if (first.state === 'done') setFavs((f) => seedFavs(f, first.value.items));
  }, [first]);

  const back = (
    <p>
      <Link href={`/bookings/${encodeURIComponent(id)}`}>← The booking</Link>
      {session?.user.role === 'photographer' && (
        <>
          {' · '}
          <Link href={`/photographer/bookings/${encodeURIComponent(id)}/gallery`}>Upload and deliver photos</Link>
        </>
      )}
    </p>
  );
  if (first.state === 'loading') {
    return (
      <section class="client-gallery">
        {back}
        <h1>Photos</h1>
        <Loading what="the photos" />
      </section>
    );
  }
  if (first.state === 'error') {
    return (
      <section class="client-gallery">
        {back}
        <h1>Photos</h1>
        {notDeliveredYet(first.error) ? (
          <Empty>
            {client ? (
              <p>
                No photos to show yet. The photographer delivers them here after the session, and you will get a
                notification when they do.
              </p>
            ) : (
              <p>No gallery for this booking yet.</p>
            )}
          </Empty>
        ) : (
          <ErrorMessage error={first.error} retry={retry} />
        )}
      </section>
    );
  }

  const { gallery } = (extra?.last ?? first.value.last);
  shown.current = { key, count: photos.length };
  const next = extra ? extra.cursor : first.value.cursor;
  const expiry = expiryText(gallery, photos, now);
  const viewable = photos.map((p) => ({ p, shot: galleryShot(p) })).filter((x): x is { p: GalleryPhoto; shot: Shot } => x.shot !== null);

  async function more() {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await readPages<GalleryPhoto, GalleryPage>(load, 1, next);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.cursor, last: page.last }));
      setFavs((f) => seedFavs(f, page.items));
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  async function toggle(p: GalleryPhoto) {
    setFavError(null);
    const t = toggleFav(favsRef.current, p.id);
    setFavs(() => t.favs);
    const sent = { want: t.want, seq: t.seq };
    try {
      const answer = await markFavourite(api, id, p.id, sent.want);
      setFavs((f) => favSettled(f, p.id, answer));
    } catch (e) {
      const r = favFailed(favsRef.current, p.id, sent.seq);
      setFavs(() => r.favs);
      const rolledBack = r.rolledBack;
      const what = sent.want ? 'mark' : 'unmark';
      setFavError(`Could not ${what} ${p.filename} as a favourite: ${describe(e)}${rolledBack ? ' It is shown as it was.' : ''}`);
    }
  }

  function favButton(p: GalleryPhoto) {
    const on = isFavourite(favs, p);
    if (!client) return on ? <p class="fav-note">★ The client's favourite</p> : null;
    return (
      <button type="button" class={`button secondary small fav${on ? ' is-on' : ''}`} aria-pressed={on ? 'true' : 'false'}
        aria-label={`Favourite: ${p.filename}`} onClick={() => toggle(p)}>
        <span aria-hidden="true">{on ? '★' : '☆'}</span> Favourite
      </button>
    );
  }

  function download(p: GalleryPhoto) {
    if (!p.links) return null;
    if (stale) return <span class="muted">Download: get fresh links first</span>;
    // Presigned on the media bucket's origin: the file comes as an attachment
    // (Content-Disposition), which `download` alone cannot do across origins.
    return (
      <a class="button small" href={p.links.download} download={p.filename} rel="noopener">
        Download<span class="sr-only"> {p.filename}</span> {p.bytes !== null && <span class="size">({sizeText(p.bytes)})</span>}
      </a>
    );
  }

  const setFilter = (favourites: boolean) => {
    const q = new URLSearchParams(query);
    if (favourites) q.set('favourites', 'true');
    else q.delete('favourites');
    const s = q.toString();
    navigate(`/bookings/${encodeURIComponent(id)}/gallery${s ? `?${s}` : ''}`, { replace: true });
  };

  return (
    <section class="client-gallery" aria-labelledby="gallery-title">
      {back}
      <h1 id="gallery-title">{client ? 'Your photos' : 'The client gallery'}</h1>
      {gallery.status === 'open' && (
        <p class="muted">Not delivered yet: the client does not see these photos until you deliver the gallery.</p>
      )}
      {expiry && <p class={expiry.urgent ? 'alert alert-warn' : 'muted'}>{expiry.text}</p>}
      <div class="gallery-tools" role="group" aria-label="Which photos">
        <button type="button" class="button secondary small" aria-pressed={favouritesOnly ? 'false' : 'true'}
          onClick={() => setFilter(false)}>All photos</button>
        <button type="button" class="button secondary small" aria-pressed={favouritesOnly ? 'true' : 'false'}
          onClick={() => setFilter(true)}>Favourites only</button>
      </div>
      <p class="muted" role="status">{countText(photos.length, favouritesOnly, next !== null, gallery.ready_photos)}</p>
      {stale && (
        <div class="alert alert-warn" role="alert">
          <p>The download links last 15 minutes and these have run out.</p>
          <button type="button" class="button secondary" onClick={retry}>Get fresh links</button>
        </div>
      )}
      {favError && <div class="alert alert-error" role="alert"><p>{favError}</p></div>}
      {photos.length === 0 && (
        <Empty>
          {favouritesOnly ? (
            <p>
              No favourites yet. Mark the photos you like best with ☆ Favourite: your photographer sees your choice.{' '}
              <button type="button" class="linklike" onClick={() => setFilter(false)}>Show all photos</button>
            </p>
          ) : (
            <p>No photos in this gallery{client ? '' : ' yet'}.</p>
          )}
        </Empty>
      )}
      {photos.length > 0 && (
        <ul class="gallery client-photos">
          {photos.map((p) => {
            const shot = galleryShot(p);
            const at = viewable.findIndex((v) => v.p.id === p.id);
            const thumb = shot ? sources(shot.urls, shot.width, shot.height) : null;
            return (
              <li key={p.id} class={isFavourite(favs, p) ? 'is-favourite' : undefined}>
                {thumb && stale ? (
                  // The links ran out: what is already shown stays, without a larger view.
                  <img src={thumb.src} srcset={thumb.srcset || undefined} alt={p.filename}
                    sizes="(min-width: 1000px) 25vw, (min-width: 700px) 33vw, 100vw"
                    width={p.width ?? undefined} height={p.height ?? undefined}
                    style={p.colour ? { backgroundColor: p.colour } : undefined} />
                ) : thumb ? (
                  <button type="button" class="thumb" aria-haspopup="dialog" onClick={() => setOpen(at)}>
                    <img src={thumb.src} srcset={thumb.srcset || undefined} loading="lazy" decoding="async"
                      sizes="(min-width: 1000px) 25vw, (min-width: 700px) 33vw, 100vw" alt={p.filename}
                      width={p.width ?? undefined} height={p.height ?? undefined}
                      style={p.colour ? { backgroundColor: p.colour } : undefined} />
                    <span class="sr-only">, open larger</span>
                  </button>
                ) : (
                  <div class="thumb-missing" style={p.colour ? { backgroundColor: p.colour } : undefined}>
                    {p.status === 'ready' ? '' : p.status === 'pending' ? 'Processing…' : 'Refused'}
                  </div>
                )}
                <p class="filename">{p.filename}</p>
                {p.rejection && <p class="field-error">{p.rejection.reason}</p>}
                <div class="actions">
                  {favButton(p)}
                  {download(p)}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {moreError !== null && <ErrorMessage error={moreError} retry={more} />}
      {next && (
        <button type="button" class="button secondary more" onClick={more} disabled={loadingMore}>
          {loadingMore ? 'Loading more photos…' : 'Show more photos'}
        </button>
      )}
      {open !== null && viewable.length > 0 && !stale && (
        <Lightbox
          shots={viewable.map((v) => v.shot)}
          index={open}
          label={client ? 'Your photos' : 'The client gallery'}
          onIndex={(i) => {
            setOpen(i);
            if (i >= viewable.length - 1) void more();
          }}
          onClose={() => setOpen(null)}
          actions={(shot) => {
            const p = viewable.find((v) => v.shot.id === shot.id)?.p;
            return p ? (
              <>
                {favButton(p)}
                {download(p)}
              </>
            ) : null;
          }}
        />
      )}
    </section>
  );
}
