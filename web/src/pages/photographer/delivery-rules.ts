// The photographer's side of a client gallery, without the component: which bookings
// have one, the retention choices and when they are locked, whether the gallery can be
// delivered and what to say before and after, photo states, the client's favourites,
// and when an upload's processing is over (read from the gallery's listing).
import type { RetentionDays } from '../../api/photographer';
import type { BookingStatus, Gallery, GalleryPhoto } from '../../api/types';
import type { Processed, UploadState } from './upload';

/** GallerySettings.retention_days; a new gallery gets 90 (the API's default). */
export const RETENTION_CHOICES: readonly { days: RetentionDays; label: string }[] = [
  { days: 30, label: '30 days (about a month)' },
  { days: 90, label: '90 days (about 3 months)' },
  { days: 180, label: '180 days (about 6 months)' },
  { days: 365, label: '365 days (a year)' },
];
export const DEFAULT_RETENTION: RetentionDays = 90;

export function isRetention(n: number): n is RetentionDays {
  return RETENTION_CHOICES.some((c) => c.days === n);
}

/** A gallery belongs to a session that took place or will: the API answers 409 for the rest. */
export function galleryBooking(status: BookingStatus): boolean {
  return status === 'confirmed' || status === 'completed';
}

/** Why the retention can no longer change, or null while it can: the API keeps it once
 * a photo is uploaded (each is stored under it), and an upload on its way counts. */
export function retentionLocked(gallery: Gallery | null, photos: readonly GalleryPhoto[], uploading: number): string | null {
  if (!gallery) return null;
  if (photos.length === 0 && uploading === 0) return null;
  return `Photos are kept ${gallery.retention_days} days after they are ready. This cannot change once photos are uploaded.`;
}

export interface PhotoCounts { ready: number; pending: number; rejected: number; favourites: number }

export function counts(photos: readonly GalleryPhoto[]): PhotoCounts {
  const c = { ready: 0, pending: 0, rejected: 0, favourites: 0 };
  for (const p of photos) {
    c[p.status] += 1;
    if (p.favourite) c.favourites += 1;
  }
  return c;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Whether "Deliver to client" may be pressed, and what to say beside it: the API
 * delivers a gallery with at least one ready photo, once (a delivered gallery stays
 * delivered). Photos still processing or refused are said, as the client will not see them.
 */
export function deliverCheck(
  gallery: Gallery | null, photos: readonly GalleryPhoto[], uploading: number,
): { can: boolean; notes: string[] } {
  if (!gallery) return { can: false, notes: ['Upload photos first: the gallery opens with the first one.'] };
  if (gallery.status === 'delivered') return { can: false, notes: [] };
  const c = counts(photos);
  const ready = Math.max(gallery.ready_photos, c.ready);
  const notes: string[] = [];
  if (ready === 0) notes.push('Deliver once at least one photo is ready.');
  const busy = c.pending + uploading;
  if (busy > 0 && ready > 0) notes.push(`${plural(busy, 'photo is', 'photos are')} still on the way: the client sees each once it is ready.`);
  if (c.rejected > 0) notes.push(`${plural(c.rejected, 'refused photo')} ${c.rejected === 1 ? 'is' : 'are'} never shown to the client: remove ${c.rejected === 1 ? 'it' : 'them'} or upload ${c.rejected === 1 ? 'it' : 'them'} again.`);
  return { can: ready > 0, notes };
}

/** The question before delivering: what the client gets, that an email goes, and that it is final. */
export function confirmText(gallery: Gallery, photos: readonly GalleryPhoto[]): string {
  const ready = Math.max(gallery.ready_photos, counts(photos).ready);
  return `Deliver ${plural(ready, 'photo')} to the client? They get an email saying their photos are ready, and can `
    + `view, favourite and download them. Each photo is kept ${gallery.retention_days} days after it was processed. `
    + 'A delivered gallery stays delivered: you can still add or remove photos.';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Delivered on 2 Dec 2026 at 14:05. The client was emailed …", in the reader's zone. */
export function deliveredText(gallery: Gallery): string | null {
  if (gallery.status !== 'delivered' || !gallery.delivered_at) return null;
  const d = new Date(gallery.delivered_at);
  if (Number.isNaN(d.getTime())) return null;
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return `Delivered on ${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} at ${hm}. The client was emailed that `
    + 'their photos are ready; photos you add now reach them once processed.';
}

/** The client's proofing, as far as the photographer's listing shows it. */
export function favouritesText(gallery: Gallery, photos: readonly GalleryPhoto[]): string {
  if (gallery.status !== 'delivered') return 'The client can mark favourites once the gallery is delivered.';
  const c = counts(photos);
  if (c.favourites === 0) return 'The client has not marked any favourites yet.';
  return `The client marked ${plural(c.favourites, 'favourite')} of ${plural(c.ready, 'ready photo')}.`;
}

export function photoStateText(p: GalleryPhoto): string {
  if (p.status === 'pending') return 'Processing';
  if (p.status === 'rejected') return 'Refused';
  return 'Ready';
}

/**
 * How an upload's processing ended, read from the gallery's listing: null while the
 * photo is still pending. A photo missing from the listing was removed meanwhile (or
 * expired), which ends the wait too.
 */
export function processedIn(photos: readonly GalleryPhoto[], id: string): Processed | null {
  const p = photos.find((x) => x.id === id);
  if (!p) return { phase: 'rejected', message: 'The photo is no longer in the gallery.' };
  if (p.status === 'ready') return { phase: 'ready' };
  if (p.status === 'rejected') return { phase: 'rejected', message: p.rejection?.reason ?? 'The photo could not be used.' };
  return null;
}

/** The listing is read again while something is being processed. */
export function needsPolling(photos: readonly GalleryPhoto[], uploads: readonly UploadState[]): boolean {
  return photos.some((p) => p.status === 'pending') || uploads.some((u) => u.phase === 'processing');
}

/** Uploads on their way that the listing does not show yet (a ticket's photo is listed
 * as pending from the moment the API gives the ticket, so it is counted once). */
export function inFlight(uploads: readonly UploadState[], photos: readonly GalleryPhoto[]): number {
  const listed = new Set(photos.map((p) => p.id));
  return uploads.filter((u) => (u.phase === 'waiting' || u.phase === 'asking' || u.phase === 'uploading')
    && !(u.itemId && listed.has(u.itemId))).length;
}
