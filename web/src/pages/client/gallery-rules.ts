// The client gallery's pure rules: favourites changed at once and put back when the API
// refuses, the links' 15 minutes, when photos are deleted, and the words for them.
import { ApiError } from '../../api/problem';
import type { Gallery, GalleryPhoto } from '../../api/types';
import type { Shot } from '../../components/lightbox-rules';
export { type Pages, readPages } from '../../components/paging';

/**
 * One photo's favourite: what the screen shows, what the API last said (with its
 * `updated_at`, so answers arriving out of order are put in the order the API made
 * them), the newest change asked for, and how many changes are on their way.
 */
export interface FavEntry {
  shown: boolean;
  confirmed: boolean;
  confirmedAt: string;
  latest: number;
  pending: number;
}
export type Favs = Record<string, FavEntry>;

/** Entries for photos read from the API. A photo with a change on its way keeps its
 * entry: the listing may have been read before the change landed. */
export function seedFavs(favs: Favs, photos: readonly GalleryPhoto[]): Favs {
  const next = { ...favs };
  for (const p of photos) {
    const e = next[p.id];
    if (e && e.pending > 0) continue;
    next[p.id] = { shown: p.favourite, confirmed: p.favourite, confirmedAt: '', latest: e?.latest ?? 0, pending: 0 };
  }
  return next;
}

/** The screen flips at once; the request then asks for `want`, tagged `seq`. */
export function toggleFav(favs: Favs, id: string): { favs: Favs; want: boolean; seq: number } {
  const e = favs[id] ?? { shown: false, confirmed: false, confirmedAt: '', latest: 0, pending: 0 };
  const want = !e.shown;
  const seq = e.latest + 1;
  return { favs: { ...favs, [id]: { ...e, shown: want, latest: seq, pending: e.pending + 1 } }, want, seq };
}

/** The API's answer to change `seq`. Once nothing is on its way, the screen shows what
 * the API made last (two quick clicks can be answered in either order). */
export function favSettled(favs: Favs, id: string, answer: { favourite: boolean; updated_at: string }): Favs {
  const e = favs[id];
  if (!e) return favs;
  const newer = answer.updated_at >= e.confirmedAt;
  const confirmed = newer ? answer.favourite : e.confirmed;
  const confirmedAt = newer ? answer.updated_at : e.confirmedAt;
  const pending = Math.max(0, e.pending - 1);
  return { ...favs, [id]: { ...e, confirmed, confirmedAt, pending, shown: pending === 0 ? confirmed : e.shown } };
}

/** Change `seq` refused or lost: the screen goes back to what the API last said, unless
 * a newer change is still on its way (its answer decides). `rolledBack` says whether
 * what the screen shows changed, so the person is told. */
export function favFailed(favs: Favs, id: string, seq: number): { favs: Favs; rolledBack: boolean } {
  const e = favs[id];
  if (!e) return { favs, rolledBack: false };
  const pending = Math.max(0, e.pending - 1);
  const back = seq === e.latest || pending === 0;
  const shown = back ? e.confirmed : e.shown;
  return { favs: { ...favs, [id]: { ...e, pending, shown } }, rolledBack: shown !== e.shown };
}

export function isFavourite(favs: Favs, photo: GalleryPhoto): boolean {
  return favs[photo.id]?.shown ?? photo.favourite;
}

/** When the first of the loaded photos' links stops working (ms), or null without any. */
export function linksExpireAt(photos: readonly GalleryPhoto[]): number | null {
  let min: number | null = null;
  for (const p of photos) {
    const t = p.links ? Date.parse(p.links.expire_at) : NaN;
    if (!Number.isNaN(t) && (min === null || t < min)) min = t;
  }
  return min;
}

/** A download started this close to the end of its link could be cut off: the links
 * count as gone a little early. */
export const LINK_MARGIN_MS = 30_000;
export function linksStale(photos: readonly GalleryPhoto[], now: number): boolean {
  const at = linksExpireAt(photos);
  return at !== null && now >= at - LINK_MARGIN_MS;
}

const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateText(t: number): string {
  const d = new Date(t);
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
}

/**
 * When the photos go. Each photo is deleted `retention_days` after it was processed,
 * so the first to go decides what the client must do by when; the gallery has no
 * single date of its own. From the photos loaded (in upload order, so the first page
 * holds the earliest); null when none says.
 */
export function expiryText(
  gallery: Gallery, photos: readonly GalleryPhoto[], now: number,
): { text: string; urgent: boolean } | null {
  let first: number | null = null;
  for (const p of photos) {
    const t = p.expires_at ? Date.parse(p.expires_at) : NaN;
    if (!Number.isNaN(t) && (first === null || t < first)) first = t;
  }
  if (first === null) return null;
  const kept = `Photos are kept ${gallery.retention_days} days after they are ready.`;
  if (first <= now) return { text: `${kept} The first ones are being deleted now: download what you want to keep.`, urgent: true };
  // Calendar days, as the date is said: 5 days and a minute away on the 7th, seen on
  // the 2nd, is "in 5 days", not 6.
  const midnight = (t: number) => {
    const d = new Date(t);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  };
  const days = Math.round((midnight(first) - midnight(now)) / DAY_MS);
  const when = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `in ${days} days`;
  const urgent = days <= 7;
  return {
    text: `${kept} The first ones will be deleted on ${dateText(first)} (${when}).${urgent ? ' Download what you want to keep before then.' : ''}`,
    urgent,
  };
}

/** A download's size: "850 KB", "4.2 MB" (powers of 1024, as the upload limit is said). */
export function sizeText(bytes: number | null): string {
  if (bytes === null || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The client sees the gallery once it is delivered; until then (and for a booking
 * that has none) the API answers 404, which is a state to explain, not a failure. */
export function notDeliveredYet(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** A gallery photo as the lightbox shows it (the 400 and 1600 px sizes). */
export function galleryShot(p: GalleryPhoto): Shot | null {
  if (!p.links) return null;
  return {
    id: p.id, urls: { 400: p.links.thumbnail, 1600: p.links.preview }, width: p.width, height: p.height,
    colour: p.colour, caption: null, fallback: p.filename,
  };
}

/** Said above the grid: "12 photos", "20 of 45 photos shown", "3 favourites". */
export function countText(shown: number, favouritesOnly: boolean, more: boolean, total: number): string {
  if (favouritesOnly) return more ? `${shown} favourites shown, more to load` : `${shown} favourite${shown === 1 ? '' : 's'}`;
  if (more) return `${shown} of ${total} photos shown`;
  return `${shown} photo${shown === 1 ? '' : 's'}`;
}

