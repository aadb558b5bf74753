// The profile editor's state and its translation to PUT /photographers/me, kept out of
// the component so it can be tested. Inputs are kept as the strings people type; they
// become numbers (minor units for money) only when the form is sent, and what cannot
// become one is reported next to its field without a round trip.
import type { OwnProfile, ProfileInput } from '../../api/photographer';
import type { Specialization, Tier } from '../../api/types';
import { minorDigits, toMinor } from '../../format';

export interface PackageDraft {
  /** Kept for packages that exist (bookings name them); made from the name for new ones. */
  id: string | null;
  /** A key for the list while the id is not known yet. */
  key: string;
  name: string;
  duration_minutes: string;
  price: string;
  full_prepayment: boolean;
}
export interface TierDraft { key: string; min_hours_before: string; refund_percent: string }
export interface ProfileDraft {
  display_name: string;
  bio: string;
  specializations: Specialization[];
  city: string;
  country: string;
  lat: string;
  lon: string;
  service_radius_km: string;
  years_experience: string;
  hourly_rate: string;
  currency: string;
  packages: PackageDraft[];
  portfolio_links: string;
  languages: string;
  deposit_percent: string;
  tiers: TierDraft[];
  dynamic_enabled: boolean;
  floor_percent: string;
  ceiling_percent: string;
}

/** The API's default cancellation policy (CancellationPolicy's description). */
export const DEFAULT_TIERS: Tier[] = [
  { min_hours_before: 168, refund_percent: 100 },
  { min_hours_before: 48, refund_percent: 50 },
  { min_hours_before: 0, refund_percent: 0 },
];

let counter = 0;
function key(): string {
  counter += 1;
  return `k${counter}`;
}

/** Minor units as the whole or decimal units a person reads (50000 INR paise: "500"). */
export function unitsText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const v = minor / 10 ** digits;
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export function draftFrom(p: OwnProfile | null, fallbackName = ''): ProfileDraft {
  if (!p) {
    return {
      display_name: fallbackName, bio: '', specializations: [], city: '', country: '', lat: '', lon: '',
      service_radius_km: '25', years_experience: '0', hourly_rate: '', currency: 'INR', packages: [],
      portfolio_links: '', languages: '', deposit_percent: '30',
      tiers: DEFAULT_TIERS.map((t) => tierDraft(t)), dynamic_enabled: false, floor_percent: '90', ceiling_percent: '130',
    };
  }
  const currency = p.hourly_rate.currency;
  return {
    display_name: p.display_name,
    bio: p.bio,
    specializations: [...p.specializations],
    city: p.city,
    country: p.country,
    lat: String(p.lat),
    lon: String(p.lon),
    service_radius_km: String(p.service_radius_km),
    years_experience: String(p.years_experience),
    hourly_rate: unitsText(p.hourly_rate.amount_minor, currency),
    currency,
    packages: p.packages.map((k) => ({
      id: k.id, key: key(), name: k.name, duration_minutes: String(k.duration_minutes),
      price: unitsText(k.price.amount_minor, k.price.currency), full_prepayment: k.full_prepayment ?? false,
    })),
    portfolio_links: p.portfolio_links.join('\n'),
    languages: p.languages.join(', '),
    deposit_percent: String(p.deposit_percent),
    tiers: p.cancellation_policy.map((t) => tierDraft(t)),
    dynamic_enabled: p.dynamic_pricing.enabled,
    floor_percent: String(p.dynamic_pricing.floor_percent),
    ceiling_percent: String(p.dynamic_pricing.ceiling_percent),
  };
}

function tierDraft(t: Tier): TierDraft {
  return { key: key(), min_hours_before: String(t.min_hours_before), refund_percent: String(t.refund_percent) };
}

// --- package editing: pure list operations the editor's buttons call ---

export function addPackage(list: PackageDraft[]): PackageDraft[] {
  return [...list, { id: null, key: key(), name: '', duration_minutes: '60', price: '', full_prepayment: false }];
}
export function updatePackage(list: PackageDraft[], k: string, change: Partial<PackageDraft>): PackageDraft[] {
  return list.map((p) => (p.key === k ? { ...p, ...change, id: p.id, key: p.key } : p));
}
export function removePackage(list: PackageDraft[], k: string): PackageDraft[] {
  return list.filter((p) => p.key !== k);
}
export function addTier(list: TierDraft[]): TierDraft[] {
  return [...list, { key: key(), min_hours_before: '', refund_percent: '' }];
}
export function updateTier(list: TierDraft[], k: string, change: Partial<TierDraft>): TierDraft[] {
  return list.map((t) => (t.key === k ? { ...t, ...change, key: t.key } : t));
}
export function removeTier(list: TierDraft[], k: string): TierDraft[] {
  return list.filter((t) => t.key !== k);
}

/** A package id from its name: lower case `a-z0-9-`, at most 40, unique among `taken`
 * (a suffix `-2`, `-3`… when it is not). */
export function packageId(name: string, taken: ReadonlySet<string>): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // the accents NFKD took apart: é is e
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 36) || 'package';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** A whole number typed in a field, or an error message. */
function whole(v: string, min: number, max: number): number | string {
  const t = v.trim();
  if (!/^-?\d+$/.test(t)) return 'Enter a whole number.';
  const n = Number(t);
  if (n < min || n > max) return `Enter a number from ${min} to ${max}.`;
  return n;
}
function decimal(v: string, min: number, max: number): number | string {
  const t = v.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(t)) return 'Enter a number.';
  const n = Number(t);
  if (n < min || n > max) return `Enter a number from ${min} to ${max}.`;
  return n;
}
/** An amount in units of `currency`: positive, with no more decimals than it has. */
function amount(v: string, currency: string): number | string {
  const t = v.trim().replace(',', '.');
  const digits = minorDigits(currency);
  const re = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!re.test(t)) return digits === 0 ? `Enter a whole amount of ${currency}.` : `Enter an amount such as 2500 or 2500.50 (${currency}).`;
  const minor = toMinor(Number(t), currency);
  if (minor < 1) return 'Enter an amount above zero.';
  return minor;
}

/**
 * The draft as the API's ProfileInput, or the fields that cannot be sent as they are
 * (named as the API names them, so the same `Field`s show both kinds of error).
 */
export function toInput(d: ProfileDraft): { input: ProfileInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (field: string, r: number | string): number => {
    if (typeof r === 'string') {
      errors[field] = r;
      return 0;
    }
    return r;
  };
  const currency = d.currency;
  const hourly = num('hourly_rate.amount_minor', amount(d.hourly_rate, currency));
  const taken = new Set(d.packages.map((p) => p.id).filter((id): id is string => !!id));
  const packages = d.packages.map((p, i) => {
    const id = p.id ?? packageId(p.name, taken);
    taken.add(id);
    return {
      id,
      name: p.name,
      duration_minutes: num(`packages[${i}].duration_minutes`, whole(p.duration_minutes, 15, 600)),
      price: { amount_minor: num(`packages[${i}].price.amount_minor`, amount(p.price, currency)), currency },
      ...(p.full_prepayment ? { full_prepayment: true } : {}),
    };
  });
  const tiers = d.tiers.map((t, i) => ({
    min_hours_before: num(`cancellation_policy[${i}].min_hours_before`, whole(t.min_hours_before, 0, 8784)),
    refund_percent: num(`cancellation_policy[${i}].refund_percent`, whole(t.refund_percent, 0, 100)),
  }));
  const input: ProfileInput = {
    display_name: d.display_name,
    bio: d.bio,
    specializations: d.specializations,
    city: d.city,
    country: d.country.trim().toUpperCase(),
    lat: num('lat', decimal(d.lat, -90, 90)),
    lon: num('lon', decimal(d.lon, -180, 180)),
    service_radius_km: num('service_radius_km', whole(d.service_radius_km, 0, 1000)),
    years_experience: num('years_experience', whole(d.years_experience, 0, 80)),
    hourly_rate: { amount_minor: hourly, currency },
    packages,
    portfolio_links: d.portfolio_links.split(/\s+/).filter(Boolean),
    languages: d.languages.split(/[,\s]+/).filter(Boolean),
    deposit_percent: num('deposit_percent', whole(d.deposit_percent, 1, 100)),
    // An empty policy list is the API's default policy (null), never "no tiers".
    cancellation_policy: tiers.length ? tiers : null,
    dynamic_pricing: {
      enabled: d.dynamic_enabled,
      floor_percent: num('dynamic_pricing.floor_percent', whole(d.floor_percent, 50, 100)),
      ceiling_percent: num('dynamic_pricing.ceiling_percent', whole(d.ceiling_percent, 100, 300)),
    },
  };
  return Object.keys(errors).length ? { input: null, errors } : { input, errors };
}

/** Every field name the editor shows an error next to (the rest go to the summary). */
export function knownFields(d: ProfileDraft): string[] {
  const fields = ['display_name', 'bio', 'specializations', 'city', 'country', 'lat', 'lon', 'service_radius_km',
    'years_experience', 'hourly_rate', 'hourly_rate.amount_minor', 'hourly_rate.currency', 'packages', 'portfolio_links',
    'languages', 'deposit_percent', 'cancellation_policy', 'dynamic_pricing', 'dynamic_pricing.floor_percent',
    'dynamic_pricing.ceiling_percent'];
  d.packages.forEach((_, i) => {
    for (const f of ['id', 'name', 'duration_minutes', 'price', 'price.amount_minor', 'price.currency']) fields.push(`packages[${i}].${f}`);
  });
  d.tiers.forEach((_, i) => {
    for (const f of ['min_hours_before', 'refund_percent']) fields.push(`cancellation_policy[${i}].${f}`);
  });
  return fields;
}

/** Errors of a list's entries (`portfolio_links[2]`, `languages[0]`) folded into the
 * list's own field, which is one text box. */
export function foldListErrors(byField: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(byField)) {
    const m = /^(portfolio_links|languages)\[(\d+)\]$/.exec(k);
    const target = m ? (m[1] as string) : k;
    const text = m ? `Entry ${Number(m[2]) + 1}: ${v}` : v;
    out[target] = out[target] ? `${out[target]} ${text}` : text;
  }
  return out;
}

/** Field errors split into those a form shows next to a field and the rest (for its
 * summary), as `fieldErrors` does with a fixed list. */
export function splitErrors(byField: Record<string, string>, known: readonly string[]): { byField: Record<string, string>; rest: string[] } {
  const shown: Record<string, string> = {};
  const rest: string[] = [];
  for (const [k, v] of Object.entries(byField)) {
    if (known.includes(k)) shown[k] = v;
    else rest.push(k ? `${k}: ${v}` : v);
  }
  return { byField: shown, rest };
}
