// The client area's calls, through the client's generic `request` (web/README.md:
// area helpers keep the ApiClient class as it is).
import type { ApiClient } from './client';
import type {
  BookingDetail, Favourite, GalleryPage, Notifications, Page, PaymentIntent, PaymentKind, PaymentRecord, Recommendations,
  RescheduleInput, Review, ReviewInput, UnreadNotifications,
} from './types';

const enc = encodeURIComponent;

export function getBooking(api: ApiClient, id: string): Promise<BookingDetail> {
  return api.request('GET', `/bookings/${enc(id)}`, { auth: 'required' });
}

export function cancelBooking(api: ApiClient, id: string, reason: string): Promise<BookingDetail> {
  return api.request('PUT', `/bookings/${enc(id)}/status`, {
    body: { status: 'cancelled', reason }, auth: 'required',
  });
}

export function rescheduleBooking(api: ApiClient, id: string, input: RescheduleInput): Promise<BookingDetail> {
  return api.request('POST', `/bookings/${enc(id)}/reschedule`, { body: input, auth: 'required' });
}

export function startPayment(api: ApiClient, id: string, kind: PaymentKind): Promise<PaymentIntent> {
  return api.request('POST', `/bookings/${enc(id)}/payments`, { body: { kind }, auth: 'required' });
}

export function postReview(api: ApiClient, id: string, input: ReviewInput): Promise<Review> {
  return api.request('POST', `/bookings/${enc(id)}/review`, { body: input, auth: 'required' });
}

export function listNotifications(api: ApiClient, before?: string | null, limit = 20): Promise<Notifications> {
  return api.request('GET', '/notifications', { query: { before, limit }, auth: 'required' });
}

export function markNotificationsRead(
  api: ApiClient, which: { up_to: string } | { ids: string[] },
): Promise<UnreadNotifications> {
  return api.request('POST', '/notifications/read', { body: which, auth: 'required' });
}

export function recommendations(api: ApiClient, limit = 6): Promise<Recommendations> {
  return api.request('GET', '/recommendations', { query: { limit }, auth: 'optional' });
}

export function getGallery(
  api: ApiClient, id: string, opts: { favourites?: boolean; cursor?: string | null; limit?: number } = {},
): Promise<GalleryPage> {
  return api.request('GET', `/bookings/${enc(id)}/gallery`, {
    query: { favourites: opts.favourites ? 'true' : undefined, cursor: opts.cursor, limit: opts.limit },
    auth: 'required',
  });
}

export function markFavourite(api: ApiClient, booking: string, photo: string, favourite: boolean): Promise<Favourite> {
  return api.request('PATCH', `/bookings/${enc(booking)}/gallery/photos/${enc(photo)}`, {
    body: { favourite }, auth: 'required',
  });
}

export function listPayments(
  api: ApiClient, opts: { cursor?: string | null; state?: string; currency?: string; limit?: number } = {},
): Promise<Page<PaymentRecord>> {
  return api.request('GET', '/payments', {
    query: { cursor: opts.cursor, state: opts.state, currency: opts.currency, limit: opts.limit }, auth: 'required',
  });
}
