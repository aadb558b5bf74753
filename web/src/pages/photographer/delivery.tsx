// The photographer's side of a booking's client gallery (`/photographer/bookings/{id}/gallery`,
// a chunk of its own): open it with a retention, upload by drag and drop or the file
// picker (the portfolio's uploads: a ticket, S3, processing), the photos with their
// state and the client's favourites, remove one, and deliver after a confirmation.
import { useEffect, useRef, useState } from 'preact/hooks';
import { getBooking, getGallery } from '../../api/client-area';
import type { GallerySettings, GalleryUploadInput, GalleryUploadTicket, RetentionDays, UploadContentType } from '../../api/photographer';
import { ApiError, describe, fieldErrors } from '../../api/problem';
import type { BookingDetail, Gallery, GalleryPage, GalleryPhoto } from '../../api/types';
import { readPages } from '../../components/paging';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../../components/ui';
import { label, wallClock } from '../../format';
import {
  confirmText, counts, DEFAULT_RETENTION, deliverCheck, deliveredText, favouritesText, galleryBooking, inFlight,
  isRetention, needsPolling, photoStateText, processedIn, RETENTION_CHOICES, retentionLocked,
} from './delivery-rules';
import { type Processed, queueFiles, type UploadState, type UploadSteps, uploadAll } from './upload';
import { DropZone, UploadList } from './uploader';

const enc = encodeURIComponent;
/** How often and how long an upload's processing is waited for in the listing. */
const POLL_MS = 1500;
const POLL_FOR_MS = 60_000;
/** Photos found pending on arrival (uploaded in an earlier visit) are looked at this often, this many times. */
const IDLE_POLL_MS = 3000;
const IDLE_POLLS = 40;

interface Listing { gallery: Gallery | null; photos: GalleryPhoto[] }

/** Every photo (the photographer manages them all; a gallery holds 1000 at most, 100 a
 * page); no gallery yet is the API's 404. */
async function readListing(api: ReturnType<typeof useApp>['api'], id: string): Promise<Listing> {
  try {
    const all = await readPages<GalleryPhoto, GalleryPage>((cursor) => getGallery(api, id, { cursor, limit: 100 }), Infinity);
    return { gallery: all.last.gallery, photos: all.items };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return { gallery: null, photos: [] };
    throw e;
  }
}

export function GalleryDeliveryScreen({ id }: { id: string }) {
  const { api } = useApp();
  const [loaded, retry] = useAsync(() => Promise.all([getBooking(api, id), readListing(api, id)]), [id]);
  const back = (
    <p>
      <Link href={`/bookings/${enc(id)}`}>← The booking</Link>
    </p>
  );
  if (loaded.state === 'loading') {
    return <section>{back}<h1>Photos for the client</h1><Loading what="the gallery" /></section>;
  }
  if (loaded.state === 'error') {
    return <section>{back}<h1>Photos for the client</h1><ErrorMessage error={loaded.error} retry={retry} /></section>;
  }
  const [booking, listing] = loaded.value;
  if (!galleryBooking(booking.status)) {
    return (
      <section>
        {back}
        <h1>Photos for the client</h1>
        <Empty>
          <p>A gallery is for a confirmed or completed booking; this one is {booking.status}.</p>
        </Empty>
      </section>
    );
  }
  return <Delivery booking={booking} initial={listing} />;
}

function Delivery({ booking, initial }: { booking: BookingDetail; initial: Listing }) {
  const { api } = useApp();
  const id = booking.id;
  const [gallery, setGallery] = useState<Gallery | null>(initial.gallery);
  const [photos, setPhotos] = useState<GalleryPhoto[]>(initial.photos);
  const [listError, setListError] = useState<unknown>(null);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [retention, setRetention] = useState<RetentionDays>(
    initial.gallery && isRetention(initial.gallery.retention_days) ? initial.gallery.retention_days : DEFAULT_RETENTION);
  const [settingsError, setSettingsError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [confirmingRemove, setConfirmingRemove] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<{ id: string; error: unknown } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [deliverError, setDeliverError] = useState<unknown>(null);
  const [delivering, setDelivering] = useState(false);
  const [announce, setAnnounce] = useState('');
  const [justDelivered, setJustDelivered] = useState(false);
  const alive = useRef(true);
  useEffect(() => () => { alive.current = false; }, []);
  const question = useRef<HTMLDivElement>(null);
  const deliveredNote = useRef<HTMLDivElement>(null);
  const photosTitle = useRef<HTMLHeadingElement>(null);
  const deliverButton = useRef<HTMLButtonElement>(null);

  // One read of the listing at a time: the uploads' waits and the idle polling share it.
  // A change made here (a removal, a delivery) bumps `changes`: a read started before it
  // may not show it, so it is not shown, and the next read starts afresh.
  const reading = useRef<{ read: Promise<Listing>; at: number } | null>(null);
  const changes = useRef(0);
  async function refresh(): Promise<GalleryPhoto[] | null> {
    if (!reading.current || reading.current.at !== changes.current) {
      const mine = { read: readListing(api, id), at: changes.current };
      reading.current = mine;
      void mine.read.finally(() => { if (reading.current === mine) reading.current = null; }).catch(() => undefined);
    }
    const { read, at } = reading.current;
    try {
      const l = await read;
      if (alive.current && at === changes.current) {
        setGallery(l.gallery);
        setPhotos(l.photos);
        setListError(null);
      }
      return l.photos;
    } catch (e) {
      if (alive.current) setListError(e);
      return null;
    }
  }

  // Photos found processing (an upload of an earlier visit) are read again for a while.
  const idlePolls = useRef(0);
  const [batches, setBatches] = useState(0);
  const busyUploads = batches > 0;
  useEffect(() => {
    if (busyUploads || !needsPolling(photos, []) || idlePolls.current >= IDLE_POLLS) return;
    const t = window.setTimeout(() => {
      idlePolls.current += 1;
      void refresh();
    }, IDLE_POLL_MS);
    return () => window.clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [photos, busyUploads]);

  const patch = (key: string, change: Partial<UploadState>) => {
    if (alive.current) setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  };

  async function awaitProcessed(photoId: string): Promise<Processed> {
    const until = Date.now() + POLL_FOR_MS;
    while (alive.current && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const list = await refresh();
      const end = list ? processedIn(list, photoId) : null;
      if (end) return end;
    }
    return { phase: 'processing', message: 'Still processing: it shows below with its state when it is done.' };
  }

  const steps: UploadSteps = {
    ticket: async (file) => {
      const body: GalleryUploadInput = { filename: file.name, content_type: file.type as UploadContentType, size_bytes: file.size };
      const t = await api.request<GalleryUploadTicket>('POST', `/bookings/${enc(id)}/gallery/uploads`, { auth: 'required', body });
      return { id: t.photo.id, upload: t.upload };
    },
    discard: (photo) => api.request('DELETE', `/bookings/${enc(id)}/gallery/photos/${enc(photo)}`, { auth: 'required' }),
    processed: awaitProcessed,
  };

  async function addFiles(files: File[]) {
    const batch = queueFiles(files, String(Date.now()));
    setUploads((old) => [...old.filter((u) => u.phase !== 'ready'), ...batch.map(([s]) => s)]);
    setAnnounce(`${batch.length} file${batch.length === 1 ? '' : 's'} added.`);
    idlePolls.current = 0;
    setBatches((n) => n + 1);
    try {
      await uploadAll(batch, steps, patch);
      await refresh();
    } finally {
      if (alive.current) setBatches((n) => n - 1);
    }
    if (alive.current) setAnnounce('Uploads finished.');
  }

  async function saveSettings(e: Event) {
    e.preventDefault();
    setSaving(true);
    setSettingsError(null);
    try {
      const body: GallerySettings = { retention_days: retention };
      const g = await api.request<Gallery>('PUT', `/bookings/${enc(id)}/gallery`, { auth: 'required', body });
      changes.current += 1;
      setGallery(g);
      setAnnounce(gallery ? `Photos will be kept ${g.retention_days} days.` : `Gallery opened: photos are kept ${g.retention_days} days.`);
    } catch (err) {
      setSettingsError(err);
    } finally {
      setSaving(false);
    }
  }

  async function remove(p: GalleryPhoto) {
    setRemoving(p.id);
    setRemoveError(null);
    try {
      await api.request('DELETE', `/bookings/${enc(id)}/gallery/photos/${enc(p.id)}`, { auth: 'required' });
      changes.current += 1;
      setConfirmingRemove(null);
      setPhotos((list) => list.filter((x) => x.id !== p.id));
      setAnnounce(`${p.filename} removed.`);
      photosTitle.current?.focus();
      await refresh();
    } catch (err) {
      setRemoveError({ id: p.id, error: err });
    } finally {
      setRemoving(null);
    }
  }

  async function deliver() {
    setDelivering(true);
    setDeliverError(null);
    try {
      const g = await api.request<Gallery>('PUT', `/bookings/${enc(id)}/gallery`, { auth: 'required', body: { delivered: true } satisfies GallerySettings });
      changes.current += 1;
      setGallery(g);
      setAsking(false);
      setAnnounce('Gallery delivered. The client was emailed.');
      setJustDelivered(true);
      await refresh();
    } catch (err) {
      setDeliverError(err);
    } finally {
      setDelivering(false);
    }
  }

  useEffect(() => {
    if (asking) question.current?.focus();
  }, [asking]);
  const delivered = gallery?.status === 'delivered';
  useEffect(() => {
    if (delivered && justDelivered) deliveredNote.current?.focus();
  }, [delivered, justDelivered]);

  const pendingUploads = inFlight(uploads, photos);
  const locked = retentionLocked(gallery, photos, pendingUploads);
  const check = deliverCheck(gallery, photos, pendingUploads);
  const c = counts(photos);
  const settingsErrors = fieldErrors(settingsError, ['retention_days']);
  const retentionError = settingsErrors.byField.retention_days;
  const when = wallClock(booking.local.start);
  const deliveredLine = gallery ? deliveredText(gallery) : null;

  return (
    <section class="gallery-delivery" aria-labelledby="delivery-title">
      <p>
        <Link href={`/bookings/${enc(id)}`}>← The booking</Link>
      </p>
      <h1 id="delivery-title">Photos for the client</h1>
      <p class="muted">{label(booking.event_type)} · {when.label} · {booking.location.city}</p>
      <p class="sr-only" role="status" aria-live="polite">{announce}</p>
      <p data-testid="gallery-state">
        {!gallery ? (
          <span class="status status-pending">Not opened yet</span>
        ) : delivered ? (
          <span class="status status-ready">Delivered</span>
        ) : (
          <span class="status status-pending">Open: the client does not see it yet</span>
        )}
      </p>

      <section class="panel" aria-labelledby="keep-title">
        <h2 id="keep-title">How long photos are kept</h2>
        {locked ? (
          <p data-testid="retention-locked">{locked}</p>
        ) : (
          <form onSubmit={saveSettings} noValidate>
            <fieldset class={`choice${retentionError ? ' has-error' : ''}`} aria-describedby={`keep-hint${retentionError ? ' keep-error' : ''}`}>
              <legend>Keep each photo for</legend>
              <p class="hint" id="keep-hint">
                Counted from when each photo is processed; then it is deleted for good. The client is told the date.
                This can change until the first photo is uploaded.
              </p>
              {RETENTION_CHOICES.map((r) => (
                <label key={r.days}>
                  <input type="radio" name="retention" value={r.days} checked={retention === r.days}
                    onChange={() => setRetention(r.days)} />
                  {r.label}
                </label>
              ))}
              {retentionError && <p class="field-error" id="keep-error">{retentionError}</p>}
            </fieldset>
            {settingsError !== null && !retentionError && (
              <div class="alert alert-error" role="alert"><p>{[describe(settingsError), ...settingsErrors.rest].join(' ')}</p></div>
            )}
            <div class="actions">
              <button type="submit" class="button" disabled={saving || (gallery !== null && gallery.retention_days === retention)}>
                {gallery ? 'Save' : 'Open the gallery'}
              </button>
            </div>
          </form>
        )}
      </section>

      <section class="panel" aria-labelledby="add-title">
        <h2 id="add-title">Add photos</h2>
        {!gallery ? (
          <p class="muted">Open the gallery first: choose how long the photos are kept, above.</p>
        ) : (
          <>
            <DropZone id="gallery-files" onFiles={(f) => void addFiles(f)}>
              <p>Drop the session’s JPEG, PNG or WebP photos here (25 MB at most each), or</p>
            </DropZone>
            <UploadList id="gallery-batch" uploads={uploads} />
          </>
        )}
      </section>

      <h2 id="photos-title" tabIndex={-1} ref={photosTitle}>Photos in the gallery</h2>
      {listError !== null && <ErrorMessage error={listError} retry={() => void refresh()} />}
      {gallery && (
        <p class="muted" data-testid="photo-counts">
          {photos.length === 0
            ? 'No photos yet.'
            : `${c.ready} ready${c.pending ? `, ${c.pending} processing` : ''}${c.rejected ? `, ${c.rejected} refused` : ''}.`}{' '}
          {favouritesText(gallery, photos)}
        </p>
      )}
      {photos.length === 0 ? (
        <Empty><p>{gallery ? 'Photos you upload show here with their state.' : 'No gallery for this booking yet.'}</p></Empty>
      ) : (
        <ul class="gallery client-photos delivery-photos">
          {photos.map((p) => (
            <li key={p.id} data-photo={p.id} data-status={p.status} class={p.favourite ? 'is-favourite' : undefined}>
              {p.links ? (
                <img src={p.links.thumbnail} alt={p.filename} loading="lazy" decoding="async"
                  width={p.width ?? undefined} height={p.height ?? undefined}
                  style={p.colour ? { backgroundColor: p.colour } : undefined} />
              ) : (
                <div class="thumb-missing" aria-hidden="true">{photoStateText(p)}…</div>
              )}
              <p class="filename">{p.filename}</p>
              <p>
                <span class={`status status-${p.status}`}>{photoStateText(p)}</span>
                {p.favourite && <span class="fav-note"> ★ The client’s favourite</span>}
              </p>
              {p.rejection && <p class="field-error">{p.rejection.reason}</p>}
              <div class="actions">
                {confirmingRemove === p.id ? (
                  <>
                    <button type="button" class="button danger small" disabled={removing !== null} onClick={() => void remove(p)}>
                      Remove {p.filename} for good
                    </button>
                    <button type="button" class="button secondary small" onClick={() => setConfirmingRemove(null)}>Keep it</button>
                  </>
                ) : (
                  <button type="button" class="button secondary small" disabled={removing !== null}
                    onClick={() => { setRemoveError(null); setConfirmingRemove(p.id); }}>
                    Remove<span class="sr-only"> {p.filename}</span>
                  </button>
                )}
              </div>
              {removeError?.id === p.id && <ErrorMessage error={removeError.error} />}
            </li>
          ))}
        </ul>
      )}

      <section class="panel deliver" aria-labelledby="deliver-title">
        <h2 id="deliver-title">Deliver to the client</h2>
        {delivered && gallery ? (
          <div class="alert alert-ok" tabIndex={-1} ref={deliveredNote} data-testid="delivered">
            <p>{deliveredLine}</p>
            <p>
              <Link href={`/bookings/${enc(id)}/gallery`}>See the gallery as the client does</Link>
            </p>
          </div>
        ) : (
          <>
            <p>
              Delivering opens the gallery to the client and emails them that their photos are ready. They can then view,
              favourite and download them.
            </p>
            {check.notes.length > 0 && (
              <ul class="notes" id="deliver-notes">
                {check.notes.map((n) => <li key={n}>{n}</li>)}
              </ul>
            )}
            {asking && gallery ? (
              <div class="confirm" role="group" aria-labelledby="deliver-question" tabIndex={-1} ref={question}>
                <p id="deliver-question"><strong>{confirmText(gallery, photos)}</strong></p>
                <div class="actions">
                  <button type="button" class="button" disabled={delivering} onClick={() => void deliver()}>
                    {delivering ? 'Delivering…' : 'Deliver and email the client'}
                  </button>
                  <button type="button" class="button secondary" disabled={delivering}
                    onClick={() => { setAsking(false); deliverButton.current?.focus(); }}>Not yet</button>
                </div>
              </div>
            ) : (
              <div class="actions">
                <button type="button" class="button" ref={deliverButton} disabled={!check.can}
                  aria-describedby={check.notes.length > 0 ? 'deliver-notes' : undefined}
                  onClick={() => { setDeliverError(null); setAsking(true); }}>
                  Deliver to client
                </button>
              </div>
            )}
            {deliverError !== null && <ErrorMessage error={deliverError} />}
          </>
        )}
      </section>
    </section>
  );
}
