import { describe, expect, it } from 'vitest';
import type { OwnProfile } from '../src/api/photographer';
import {
  addPackage, addTier, draftFrom, foldListErrors, knownFields, packageId, removePackage, removeTier, splitErrors, toInput,
  unitsText, updatePackage,
} from '../src/pages/photographer/profile-form';

const OWN: OwnProfile = {
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA', display_name: 'Asha', bio: 'Weddings.', specializations: ['wedding', 'portrait'],
  city: 'Hyderabad', country: 'IN', lat: 17.385, lon: 78.4867, service_radius_km: 40, years_experience: 8,
  hourly_rate: { amount_minor: 250050, currency: 'INR' },
  packages: [{ id: 'half-day', name: 'Half day', duration_minutes: 240, price: { amount_minor: 900000, currency: 'INR' }, full_prepayment: true }],
  portfolio_links: ['https://asha.example/work'], languages: ['en', 'hi'], rating: { average: 4.5, count: 3 },
  cover_photo: null, deposit_percent: 30, cancellation_policy: [{ min_hours_before: 48, refund_percent: 50 }],
  payouts: { status: 'not_started' }, dynamic_pricing: { enabled: true, floor_percent: 85, ceiling_percent: 150 },
};

describe('profile draft', () => {
  it('round-trips an existing profile into the same ProfileInput', () => {
    const { input, errors } = toInput(draftFrom(OWN));
    expect(errors).toEqual({});
    expect(input).toEqual({
      display_name: 'Asha', bio: 'Weddings.', specializations: ['wedding', 'portrait'], city: 'Hyderabad', country: 'IN',
      lat: 17.385, lon: 78.4867, service_radius_km: 40, years_experience: 8,
      hourly_rate: { amount_minor: 250050, currency: 'INR' },
      packages: [{ id: 'half-day', name: 'Half day', duration_minutes: 240, price: { amount_minor: 900000, currency: 'INR' }, full_prepayment: true }],
      portfolio_links: ['https://asha.example/work'], languages: ['en', 'hi'], deposit_percent: 30,
      cancellation_policy: [{ min_hours_before: 48, refund_percent: 50 }],
      dynamic_pricing: { enabled: true, floor_percent: 85, ceiling_percent: 150 },
    });
  });

  it('starts a new profile with the API defaults and the account name', () => {
    const d = draftFrom(null, 'New Person');
    expect(d.display_name).toBe('New Person');
    expect(d.tiers.map((t) => [t.min_hours_before, t.refund_percent])).toEqual([['168', '100'], ['48', '50'], ['0', '0']]);
    expect([d.dynamic_enabled, d.floor_percent, d.ceiling_percent]).toEqual([false, '90', '130']);
  });

  it('reports fields that cannot be numbers under the names the API uses', () => {
    const d = { ...draftFrom(OWN), lat: 'north', hourly_rate: '12.345', deposit_percent: '0', floor_percent: '40' };
    d.packages = updatePackage(d.packages, d.packages[0]!.key, { duration_minutes: '1.5', price: '' });
    const { input, errors } = toInput(d);
    expect(input).toBeNull();
    expect(Object.keys(errors).sort()).toEqual([
      'deposit_percent', 'dynamic_pricing.floor_percent', 'hourly_rate.amount_minor', 'lat',
      'packages[0].duration_minutes', 'packages[0].price.amount_minor',
    ]);
    for (const k of Object.keys(errors)) expect(knownFields(d)).toContain(k);
  });

  it('knows the decimals of each currency', () => {
    expect(toInput({ ...draftFrom(OWN), currency: 'JPY', hourly_rate: '5000', packages: [] }).input?.hourly_rate).toEqual({ amount_minor: 5000, currency: 'JPY' });
    expect(toInput({ ...draftFrom(OWN), currency: 'JPY', hourly_rate: '50.5', packages: [] }).errors['hourly_rate.amount_minor']).toMatch(/whole/);
    expect(unitsText(250050, 'INR')).toBe('2500.50');
    expect(unitsText(900000, 'INR')).toBe('9000');
  });

  it('sends an empty policy as the default (null), never as no tiers', () => {
    const d = draftFrom(OWN);
    const none = removeTier(d.tiers, d.tiers[0]!.key);
    expect(toInput({ ...d, tiers: none }).input?.cancellation_policy).toBeNull();
    expect(addTier(none)).toHaveLength(1);
  });
});

describe('package editing', () => {
  it('adds, edits and removes packages, keeping the ids of existing ones', () => {
    const d = draftFrom(OWN);
    let list = addPackage(d.packages);
    expect(list).toHaveLength(2);
    const added = list[1]!;
    expect(added.id).toBeNull();
    list = updatePackage(list, added.key, { name: 'Half Day!', price: '100', id: 'hacked' });
    list = updatePackage(list, list[0]!.key, { name: 'Morning' });
    const { input } = toInput({ ...d, packages: list });
    // The new package's id comes from its name, made unique; the old one keeps its id.
    expect(input?.packages?.map((p) => [p.id, p.name])).toEqual([['half-day', 'Morning'], ['half-day-2', 'Half Day!']]);
    list = removePackage(list, list[0]!.key);
    expect(list.map((p) => p.name)).toEqual(['Half Day!']);
  });

  it('makes ids the API accepts from any name', () => {
    expect(packageId('Mehndi & Sangeet — 2 days', new Set())).toBe('mehndi-sangeet-2-days');
    expect(packageId('!!!', new Set())).toBe('package');
    expect(packageId('Été', new Set(['ete']))).toBe('ete-2');
    expect(packageId('x'.repeat(80), new Set())).toHaveLength(36);
    expect(packageId('x'.repeat(80), new Set()).length).toBeLessThanOrEqual(40);
  });
});

describe('problem fields', () => {
  it('folds list entry errors into the list field and splits the rest', () => {
    const folded = foldListErrors({ 'languages[1]': 'is listed twice', 'portfolio_links[0]': 'must be https', city: 'is required' });
    expect(folded).toEqual({ languages: 'Entry 2: is listed twice', portfolio_links: 'Entry 1: must be https', city: 'is required' });
    expect(splitErrors({ city: 'x', 'weird.field': 'y' }, ['city'])).toEqual({ byField: { city: 'x' }, rest: ['weird.field: y'] });
  });
});
