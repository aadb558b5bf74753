// The shapes of docs/openapi.json (components/schemas) that the app reads and sends,
// written out by hand and kept to the fields the screens use. Names follow the
// document's so a reader can look each one up there.

export type Ulid = string;
export type Role = 'client' | 'photographer' | 'admin';
export type Specialization =
  | 'wedding' | 'portrait' | 'event' | 'commercial' | 'family' | 'fashion' | 'product' | 'newborn' | 'real_estate';
export const SPECIALIZATIONS: readonly Specialization[] = [
  'wedding', 'portrait', 'event', 'commercial', 'family', 'fashion', 'product', 'newborn', 'real_estate',
];
export type BookingStatus = 'pending' | 'confirmed' | 'declined' | 'cancelled' | 'completed' | 'expired';

export interface Money { amount_minor: number; currency: string }

export interface FieldError { field: string; message: string }
export interface Slot { start: string; end: string }
/** RFC 9457 problem details, as every error of the API is answered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  rule?: string;
  code?: string;
  suggested_starts?: Slot[];
}

export interface User {
  id: Ulid;
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  timezone: string;
  active: boolean;
}

export interface Session {
  user: User;
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface Registration {
  email: string;
  password: string;
  name: string;
  role: 'client' | 'photographer';
  phone?: string | null;
  timezone?: string | null;
}

export interface Credentials { email: string; password: string }

export interface Package {
  id: string;
  name: string;
  duration_minutes: number;
  price: Money;
  full_prepayment?: boolean;
}
export interface Rating { average: number; count: number }
export interface CoverPhoto {
  item_id: Ulid; url: string; large_url: string; width: number; height: number; colour: string;
}
export interface Tier { min_hours_before: number; refund_percent: number }

export interface PublicProfile {
  id: Ulid;
  display_name: string;
  bio: string;
  specializations: Specialization[];
  city: string;
  country: string;
  service_radius_km: number;
  years_experience: number;
  hourly_rate: Money;
  packages: Package[];
  languages: string[];
  rating: Rating;
  cover_photo: CoverPhoto | null;
  deposit_percent: number;
  cancellation_policy: Tier[];
  /** Only in answers to a search near a point (NearbyProfile). */
  distance_km?: number;
}
export interface Page<T> { items: T[]; next_cursor: string | null }

export interface Reply { text: string; created_at: string; updated_at: string }
export interface Review {
  id: Ulid; booking_id: Ulid; photographer_id: Ulid; author: string; rating: number; text: string;
  created_at: string; reply: Reply | null;
}

export interface Reason { code: string; text: string }
export interface ScoredSlot { start: string; end: string; score: number; reasons: Reason[] }
export type LightWindow = { start: string; end: string } | null;
export interface LightPair { morning: LightWindow; evening: LightWindow }
export interface Sun {
  sunrise: string | null; sunset: string | null; golden_hour: LightPair; blue_hour: LightPair;
  polar: 'midnight_sun' | 'polar_night' | null;
}
export interface Day { date: string; sun: Sun }
export interface Slots {
  timezone: string; duration_minutes: number; event_type: Specialization | null; days: Day[]; slots: ScoredSlot[];
}

export interface QuoteFactor {
  factor: 'demand' | 'weekday' | 'lead_time' | 'utilisation' | 'rating';
  multiplier: number;
  reason: string;
}
export interface Quote {
  quote_id: string;
  expires_at: string;
  photographer_id: Ulid;
  start: string;
  duration_minutes: number;
  package_id: string | null;
  event_type: Specialization;
  price: Money;
  base_price: Money;
  dynamic_pricing: boolean;
  multiplier: number;
  factors: QuoteFactor[];
  limit: 'floor' | 'ceiling' | null;
  bounds: { floor: Money; ceiling: Money };
}

export interface LocationInput { address: string; city: string; lat?: number | null; lon?: number | null }
export interface BookingRequest {
  photographer_id: Ulid;
  package_id?: string | null;
  event_type: Specialization;
  start: string;
  duration_minutes?: number | null;
  location: LocationInput;
  notes?: string | null;
  quote_id?: string | null;
}
export interface HistoryEntry {
  at: string; actor: string; action: string; from: BookingStatus | null; to: BookingStatus; reason?: string;
}
export interface Booking {
  id: Ulid;
  status: BookingStatus;
  client_id: Ulid;
  photographer_id: Ulid;
  package_id: string | null;
  event_type: Specialization;
  start: string;
  end: string;
  duration_minutes: number;
  local: { timezone: string; start: string; end: string };
  location: { address: string; city: string };
  notes: string | null;
  price: Money;
  expires_at?: string;
  history: HistoryEntry[];
  created_at: string;
  /** The other party's name (`GET /bookings/{id}`, `GET /bookings`, `GET /admin/bookings`):
   * the client's for the photographer, the photographer's display name for the client,
   * both for admins; null once that account is gone or deactivated. */
  client_name?: string | null;
  photographer_name?: string | null;
}
export interface StatusChange { status: BookingStatus; reason?: string | null }

// --- client ---
// The shapes the client area reads (booking detail, payments, reviews, notifications,
// recommendations), by their names in docs/openapi.json.

export type PaymentState =
  | 'unpaid' | 'failed' | 'authorized' | 'released' | 'deposit_paid' | 'paid' | 'partially_refunded' | 'refunded'
  | 'disputed';
export type PaymentKind = 'deposit' | 'balance' | 'full';

/** A booking's frozen payment terms; `state` and the amounts only on `GET /bookings/{id}`. */
export interface BookingPayment {
  deposit_percent: number;
  deposit_minor?: number;
  balance_minor?: number;
  balance_due_days: number;
  cancellation_policy: Tier[];
  state?: PaymentState;
  authorized_minor?: number;
  paid_minor?: number;
  refunded_minor?: number;
  due_minor?: number;
  balance_due_at?: string;
  last_failure?: string;
}

export interface ClientHistoryEntry {
  at: string;
  by: Ulid | null;
  actor: 'client' | 'photographer' | 'admin' | 'system';
  action: 'created' | 'status_changed' | 'rescheduled';
  from: BookingStatus | null;
  to: BookingStatus;
  reason?: string;
  previous_start?: string;
  new_start?: string;
}

/** `Booking` as the API answers it, with the fields the detail page reads. */
export interface BookingDetail extends Omit<Booking, 'history'> {
  cancellation_window_hours: number;
  sequence: number;
  updated_at: string;
  history: ClientHistoryEntry[];
  payment: BookingPayment;
}

export interface RescheduleInput { start: string; duration_minutes?: number | null }

export interface PaymentIntent {
  booking_id: Ulid;
  kind: PaymentKind;
  intent_id: string;
  client_secret: string | null;
  publishable_key: string | null;
  amount_minor: number;
  currency: string;
  status: string;
  capture: 'on_confirmation' | 'immediate';
}

export interface ReviewInput { rating: number; text: string }

export type NotificationKind =
  | 'booking_created' | 'booking_confirmed' | 'booking_declined' | 'booking_cancelled' | 'booking_rescheduled'
  | 'booking_expired' | 'booking_completed' | 'booking_reminder' | 'gallery_delivered' | 'payment_received'
  | 'payment_refunded' | 'balance_due' | 'balance_failed';
export interface AppNotification {
  id: Ulid;
  /** New kinds may be added: unknown ones are shown by their title. */
  kind: NotificationKind | string;
  title: string;
  booking_id?: Ulid;
  link?: string;
  created_at: string;
  read: boolean;
}
export interface Notifications {
  items: AppNotification[];
  next_before?: Ulid;
  unread: number;
  unread_capped: boolean;
}
export interface UnreadNotifications { unread: number; unread_capped: boolean }

export interface RecommendationReason { code: string; text: string }
export interface Recommendation {
  photographer: PublicProfile;
  score: number;
  distance_km: number | null;
  reasons: RecommendationReason[];
}
export interface Recommendations { items: Recommendation[]; personalized: boolean }

// --- account ---
/** Hours before a confirmed session that a reminder can go (NotificationPreferences). */
export type ReminderHour = 168 | 72 | 48 | 24 | 12 | 6 | 3 | 2 | 1;
export type SmsEvent = 'booking_confirmed' | 'booking_cancelled' | 'reminder';
export interface NotificationPreferences {
  email: boolean;
  sms: boolean;
  push: boolean;
  /** Up to 3; always present in answers. A PATCH that omits it resets it to [24, 2]. */
  reminder_hours: ReminderHour[];
  /** Always present in answers. A PATCH that omits it resets it to all three. */
  sms_events: SmsEvent[];
}
/** GET and PATCH /me's answer: the User schema in full. */
export interface Me extends User {
  phone_verified: boolean;
  notification_preferences: NotificationPreferences;
  created_at: string;
  updated_at: string;
}
/** PATCH /me: absent fields stay; `phone: null` clears the number. */
export interface MePatch {
  name?: string;
  timezone?: string;
  phone?: string | null;
  notification_preferences?: NotificationPreferences;
}
export interface PhoneVerificationSent { phone: string; expires_at: string; resend_after: string }
export interface CalendarFeed { url: string; path: string; file: string; created_at: string }

// --- a photographer's external calendars (busy time in) ---
/** ExternalCalendar.status: `pending` (not fetched yet), `ok` (the last attempt
 * succeeded) or `failing` (it failed; the busy time of the last success still counts). */
export type ExternalCalendarStatus = 'pending' | 'ok' | 'failing';
/** GET/POST /photographers/me/calendars, POST …/{id}/sync. Never the address itself
 * (a credential to the photographer's calendar): only `url_masked`. */
export interface ExternalCalendar {
  id: Ulid;
  label: string;
  /** Scheme, host and the last four characters. */
  url_masked: string;
  status: ExternalCalendarStatus;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  /** Busy intervals kept from the last successful read (the next ~6 months). */
  busy_intervals: number;
  next_sync_at: string;
  created_at: string;
}
/** GET /photographers/me/calendars: oldest first; `max` is 3. */
export interface ExternalCalendarList { items: ExternalCalendar[]; max: number }
/** POST /photographers/me/calendars: `https://` or `webcal://`; the label defaults to the host. */
export interface NewExternalCalendar { url: string; label?: string }

// --- client galleries (GET /bookings/{id}/gallery, PATCH …/photos/{photo}) ---
/** Gallery: `open` while the photographer uploads; the client sees it once `delivered`. */
export interface Gallery {
  booking_id: Ulid;
  status: 'open' | 'delivered';
  /** Days each photo is kept after it was processed (30, 90, 180 or 365). */
  retention_days: number;
  delivered_at: string | null;
  ready_photos: number;
}
/** GalleryPhoto.links: presigned GETs, valid 15 minutes (a new read brings fresh ones). */
export interface GalleryLinks {
  /** 400 px on the longest side. */
  thumbnail: string;
  /** 1600 px on the longest side. */
  preview: string;
  /** Full resolution, as an attachment named after the upload. */
  download: string;
  expire_at: string;
}
export interface GalleryPhoto {
  id: Ulid;
  status: 'pending' | 'ready' | 'rejected';
  filename: string;
  width: number | null;
  height: number | null;
  colour: string | null;
  /** Of the full-resolution download. */
  bytes: number | null;
  favourite: boolean;
  /** When it is deleted (processed + the gallery's retention). */
  expires_at: string | null;
  /** Only in the photographer's view, only when rejected. */
  rejection?: { code: string; reason: string } | null;
  links: GalleryLinks | null;
  created_at: string;
}
export interface GalleryPage { gallery: Gallery; items: GalleryPhoto[]; next_cursor: string | null }
/** PATCH /bookings/{id}/gallery/photos/{photo}'s answer. */
export interface Favourite { id: Ulid; favourite: boolean; updated_at: string }

// --- payment history (GET /payments) ---
export type IntentStatus = 'open' | 'failed' | 'authorized' | 'succeeded' | 'canceled';
export interface Charge {
  kind: PaymentKind;
  status: IntentStatus;
  amount_minor: number;
  captured_minor: number;
  refunded_minor: number;
}
/** PaymentRecord: one per booking that took payments. */
export interface PaymentRecord {
  booking_id: Ulid;
  /** Photographers and admins. */
  client_id?: Ulid;
  /** Photographers and admins: the client's name; null once the account is gone or deactivated. */
  client_name?: string | null;
  /** Clients and admins. */
  photographer_id?: Ulid;
  /** Clients and admins: the photographer's public display name; null once gone or deactivated. */
  photographer_name?: string | null;
  currency: string;
  state: PaymentState;
  total_minor: number;
  paid_minor: number;
  refunded_minor: number;
  due_minor: number;
  /** Photographers and admins: the platform's commission on what was kept. */
  platform_fee_minor?: number;
  /** Photographers and admins: what the photographer keeps, net of refunds and fees. */
  earnings_minor?: number;
  charges: Charge[];
  created_at: string;
  updated_at: string;
}
