// --- photographer ---
// The shapes of docs/openapi.json (components/schemas) behind the photographer's own
// screens, by their names there: profile, availability, pricing preview, portfolio and
// payouts. Kept to what the screens read and send.
import type { Money, Quote, Specialization, Tier, Ulid } from './types';

export interface PriceInput { amount_minor: number; currency: string }
export interface PackageInput {
  id: string;
  name: string;
  duration_minutes: number;
  price: PriceInput;
  full_prepayment?: boolean;
}
export interface DynamicPricingInput { enabled: boolean; floor_percent?: number | null; ceiling_percent?: number | null }
export interface DynamicPricing { enabled: boolean; floor_percent: number; ceiling_percent: number }
export type PayoutStatus = 'not_started' | 'pending' | 'active' | 'restricted';

/** PUT /photographers/me: the whole profile (PUT replaces it). */
export interface ProfileInput {
  display_name: string;
  bio?: string;
  specializations: Specialization[];
  city: string;
  country: string;
  lat: number;
  lon: number;
  service_radius_km: number;
  years_experience: number;
  hourly_rate: PriceInput;
  packages?: PackageInput[];
  portfolio_links?: string[];
  languages?: string[];
  deposit_percent?: number | null;
  cancellation_policy?: Tier[] | null;
  dynamic_pricing?: DynamicPricingInput | null;
}

/** GET /photographers/me. */
export interface OwnProfile {
  id: Ulid;
  display_name: string;
  bio: string;
  specializations: Specialization[];
  city: string;
  country: string;
  lat: number;
  lon: number;
  service_radius_km: number;
  years_experience: number;
  hourly_rate: Money;
  packages: PackageInput[];
  portfolio_links: string[];
  languages: string[];
  rating: { average: number; count: number };
  cover_photo: { item_id: Ulid; url: string; large_url: string; width: number; height: number; colour: string } | null;
  deposit_percent: number;
  cancellation_policy: Tier[];
  payouts: { status: PayoutStatus };
  dynamic_pricing: DynamicPricing;
}

/** The currencies clients can pay in (PayableCurrency). */
export const PAYABLE_CURRENCIES: readonly string[] = [
  'AED', 'AUD', 'BGN', 'BHD', 'BIF', 'BRL', 'CAD', 'CHF', 'CLP', 'CZK', 'DJF', 'DKK', 'EUR', 'GBP', 'GNF', 'HKD', 'HUF',
  'INR', 'JOD', 'JPY', 'KMF', 'KRW', 'KWD', 'MGA', 'MXN', 'MYR', 'NOK', 'NZD', 'OMR', 'PLN', 'PYG', 'RON', 'RWF', 'SEK',
  'SGD', 'THB', 'TND', 'USD', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
];

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export interface Interval { start: string; end: string }
export type Weekly = Partial<Record<Weekday, Interval[]>>;
export interface Override { date: string; intervals?: Interval[] }
export interface TimeOff { start: string; end: string }

/** GET/PUT /photographers/me/availability (Availability; AvailabilityInput takes the
 * same fields, every one but `timezone` optional). */
export interface Availability {
  timezone: string;
  weekly: Weekly;
  overrides: Override[];
  time_off: TimeOff[];
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  min_notice_minutes: number;
  max_days_ahead: number;
  max_bookings_per_day?: number | null;
  slot_step_minutes: number;
  cancellation_window_hours: number;
  travel_speed_kmh: number;
}

/** GET /photographers/me/pricing-preview: a quote's shape (the server's one price view)
 * with dynamic pricing always on, nothing sealed, and the forecast it read. */
export type PricePreview = Omit<Quote, 'quote_id' | 'expires_at' | 'dynamic_pricing'> & {
  dynamic_pricing: true;
  forecast: { series: string; model: string; as_of: string } | null;
};

export type UploadContentType = 'image/jpeg' | 'image/png' | 'image/webp';
export interface PortfolioUploadInput {
  filename: string;
  content_type: UploadContentType;
  size_bytes: number;
  category: Specialization;
  caption?: string | null;
}
export type PortfolioItemStatus = 'pending' | 'ready' | 'rejected';
/** POST /photographers/me/portfolio/uploads (201). */
export interface UploadTicket {
  item: { id: Ulid; status: PortfolioItemStatus; position: number };
  upload: { url: string; fields: Record<string, string>; expires_at: string };
}
/** GET /photographers/{id}/portfolio: ready items only. */
export interface PortfolioItem {
  id: Ulid;
  category: Specialization;
  caption: string | null;
  position: number;
  width: number;
  height: number;
  colour: string;
  bytes: number;
  urls: Record<string, string>;
}
export interface PortfolioItemPatch {
  caption?: string | null;
  category?: Specialization;
  position?: number;
  cover?: boolean;
}
/** PATCH /photographers/me/portfolio/{item}. */
export interface OwnPortfolioItem {
  id: Ulid;
  status: PortfolioItemStatus;
  category: Specialization;
  caption: string | null;
  position: number;
  rejection: { code: 'unsupported_type' | 'too_large' | 'corrupt'; reason: string } | null;
  created_at: string;
  updated_at: string;
  width: number | null;
  height: number | null;
  colour: string | null;
  urls: Record<string, string>;
  cover: boolean;
}

// --- a client gallery, the photographer's side (the listing's shapes are in types.ts) ---
/** GallerySettings, PUT /bookings/{id}/gallery: the retention only while the gallery has
 * no photos; `delivered: true` needs a ready photo and cannot be undone. */
export type RetentionDays = 30 | 90 | 180 | 365;
export interface GallerySettings { retention_days?: RetentionDays; delivered?: boolean }
/** GalleryUploadInput, POST /bookings/{id}/gallery/uploads. */
export interface GalleryUploadInput { filename: string; content_type: UploadContentType; size_bytes: number }
/** GalleryUploadTicket (201). */
export interface GalleryUploadTicket {
  photo: { id: Ulid; status: PortfolioItemStatus };
  upload: { url: string; fields: Record<string, string>; expires_at: string };
}

/** POST /photographers/me/payouts/onboarding. */
export interface PayoutLink { url: string; status: PayoutStatus }

// --- photographer stats ---
/** GET /photographers/me/stats: docs/openapi.json's PhotographerStats and its parts. */
export type StatsGranularity = 'day' | 'week' | 'month';
/** ISO 4217 code → minor units; never added across currencies. */
export type MoneyByCurrency = Record<string, number>;
export interface SentimentTrend {
  analysed: number;
  positive: number;
  neutral: number;
  negative: number;
  /** In [-1, 1]; null when nothing was analysed. */
  mean_score: number | null;
}
export interface PhotographerStatsPeriod {
  start: string;
  requested: number; confirmed: number; declined: number; cancelled: number; expired: number; completed: number;
  booked_hours: number;
  session_hours: number;
  available_hours: number;
  /** session_hours / available_hours, three decimals; null without working hours. */
  utilisation: number | null;
  paid: number;
  reviewed: number;
  revenue_minor: MoneyByCurrency; refunds_minor: MoneyByCurrency; net_minor: MoneyByCurrency;
  cancellations: {
    by_client: number; by_photographer: number; by_platform: number;
    while_pending: number; after_confirmation: number; late: number;
  };
  rating_average: number | null;
  sentiment: SentimentTrend;
  mean_confirm_minutes: number | null;
}
export interface PriceComparison {
  specialization: Specialization;
  currency: string;
  your_hourly_rate_minor: number;
  /** Photographers compared with, the caller excluded. */
  compared_with: number;
  median_hourly_rate_minor: number | null;
  /** (yours − median) / median in percent, one decimal. */
  difference_percent: number | null;
  /** The share of them charging less (ties count half), in percent. */
  percentile: number | null;
}
export interface PhotographerStats {
  photographer_id: string;
  from: string;
  to: string;
  granularity: StatsGranularity;
  timezone: string;
  series: PhotographerStatsPeriod[];
  totals: PhotographerStatsPeriod;
  rating: { average: number | null; count: number };
  price_comparison: PriceComparison[];
}
