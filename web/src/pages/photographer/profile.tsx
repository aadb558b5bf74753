import { useState } from 'preact/hooks';
import type { OwnProfile, PayoutLink } from '../../api/photographer';
import { PAYABLE_CURRENCIES } from '../../api/photographer';
import type { ApiClient } from '../../api/client';
import { ApiError, fieldErrors } from '../../api/problem';
import { SPECIALIZATIONS } from '../../api/types';
import { ErrorMessage, Field, FormError, Link, Loading, useApp, useAsync } from '../../components/ui';
import { label } from '../../format';
import {
  addPackage, addTier, draftFrom, foldListErrors, knownFields, removePackage, removeTier, splitErrors, toInput,
  updatePackage, updateTier, type ProfileDraft,
} from './profile-form';

/** The caller's own profile, or null while they have none (the API answers 404). */
export async function ownProfile(api: ApiClient): Promise<OwnProfile | null> {
  try {
    return await api.request<OwnProfile>('GET', '/photographers/me', { auth: 'required' });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export function ProfileEditor() {
  const { api, session } = useApp();
  const [loaded, retry] = useAsync(() => ownProfile(api), []);
  if (loaded.state === 'loading') return <Loading what="your profile" />;
  if (loaded.state === 'error') return <ErrorMessage error={loaded.error} retry={retry} />;
  return <ProfileForm initial={loaded.value} name={session?.user.name ?? ''} />;
}

function ProfileForm({ initial, name }: { initial: OwnProfile | null; name: string }) {
  const { api, flash } = useApp();
  const [saved, setSaved] = useState<OwnProfile | null>(initial);
  const [d, setD] = useState<ProfileDraft>(() => draftFrom(initial, name));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = (change: Partial<ProfileDraft>) => setD((old) => ({ ...old, ...change }));

  const server = foldListErrors(fieldErrors(error).byField);
  const { byField, rest } = splitErrors({ ...server, ...local }, knownFields(d));
  const err = (f: string) => byField[f];

  async function submit(e: Event) {
    e.preventDefault();
    const { input, errors } = toInput(d);
    setLocal(errors);
    setError(null);
    if (!input) {
      setError(new ApiError({ type: 'about:blank', title: 'Check the form', status: 422, detail: 'Some fields need a change: see the messages next to them.' }));
      return;
    }
    setBusy(true);
    try {
      await api.request('PUT', '/photographers/me', { body: input, auth: 'required' });
      // PUT answers the public profile; the own one carries payouts and dynamic pricing.
      const own = await ownProfile(api);
      setSaved(own);
      if (own) setD(draftFrom(own));
      flash(saved ? 'Your profile is saved.' : 'Your profile is created: clients can find you now.');
    } catch (err2) {
      setError(err2);
    } finally {
      setBusy(false);
    }
  }

  const currency = d.currency;
  return (
    <section>
      <h1>{saved ? 'Your profile' : 'Create your photographer profile'}</h1>
      {!saved && <p>Clients find you by what you write here. Fields marked required must be filled in.</p>}
      {saved && (
        <p>
          <Link href={`/photographers/${encodeURIComponent(saved.id)}`}>See your public page</Link>
        </p>
      )}
      {saved && <Payouts profile={saved} />}
      <form onSubmit={submit} noValidate aria-label="Profile">
        <FormError error={error} rest={rest} />
        <h2>About you</h2>
        <Field id="pf-name" label="Display name (required)" error={err('display_name')}>
          {(a) => <input {...a} value={d.display_name} onInput={(e) => set({ display_name: e.currentTarget.value })} />}
        </Field>
        <Field id="pf-bio" label="Bio" hint="Up to 4000 characters." error={err('bio')}>
          {(a) => <textarea {...a} rows={5} value={d.bio} onInput={(e) => set({ bio: e.currentTarget.value })} />}
        </Field>
        <fieldset class="choice" aria-describedby={err('specializations') ? 'pf-spec-error' : undefined}>
          <legend>What you photograph (at least one)</legend>
          <div class="checks">
            {SPECIALIZATIONS.map((s) => (
              <label key={s}>
                <input type="checkbox" name="specializations" value={s} checked={d.specializations.includes(s)}
                  onChange={(e) => set({
                    specializations: e.currentTarget.checked
                      ? [...d.specializations, s]
                      : d.specializations.filter((x) => x !== s),
                  })} />{' '}
                {label(s)}
              </label>
            ))}
          </div>
          {err('specializations') && <p class="field-error" id="pf-spec-error">{err('specializations')}</p>}
        </fieldset>
        <div class="grid2">
          <Field id="pf-years" label="Years of experience (required)" error={err('years_experience')}>
            {(a) => <input {...a} inputMode="numeric" value={d.years_experience} onInput={(e) => set({ years_experience: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-languages" label="Languages" hint="Tags such as en, hi, pt-BR, separated by commas." error={err('languages')}>
            {(a) => <input {...a} value={d.languages} onInput={(e) => set({ languages: e.currentTarget.value })} />}
          </Field>
        </div>
        <Field id="pf-links" label="Links to your work" hint="https addresses, one a line (at most 10)." error={err('portfolio_links')}>
          {(a) => <textarea {...a} rows={2} value={d.portfolio_links} onInput={(e) => set({ portfolio_links: e.currentTarget.value })} />}
        </Field>

        <h2>Where you work</h2>
        <div class="grid2">
          <Field id="pf-city" label="City (required)" error={err('city')}>
            {(a) => <input {...a} autocomplete="address-level2" value={d.city} onInput={(e) => set({ city: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-country" label="Country code (required)" hint="Two letters, e.g. IN, GB, US." error={err('country')}>
            {(a) => <input {...a} maxLength={3} value={d.country} onInput={(e) => set({ country: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-lat" label="Latitude (required)" hint="-90 to 90, e.g. 17.385." error={err('lat')}>
            {(a) => <input {...a} inputMode="decimal" value={d.lat} onInput={(e) => set({ lat: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-lon" label="Longitude (required)" hint="-180 to 180, e.g. 78.4867." error={err('lon')}>
            {(a) => <input {...a} inputMode="decimal" value={d.lon} onInput={(e) => set({ lon: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-radius" label="Travel up to (km, required)" error={err('service_radius_km')}>
            {(a) => <input {...a} inputMode="numeric" value={d.service_radius_km} onInput={(e) => set({ service_radius_km: e.currentTarget.value })} />}
          </Field>
        </div>

        <h2>Prices</h2>
        <div class="grid2">
          <Field id="pf-rate" label={`Hourly rate in ${currency} (required)`} error={err('hourly_rate.amount_minor') ?? err('hourly_rate')}>
            {(a) => <input {...a} inputMode="decimal" value={d.hourly_rate} onInput={(e) => set({ hourly_rate: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-currency" label="Currency" hint="Packages are priced in it too." error={err('hourly_rate.currency')}>
            {(a) => (
              <select {...a} value={currency} onChange={(e) => set({ currency: e.currentTarget.value })}>
                {PAYABLE_CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            )}
          </Field>
          <Field id="pf-deposit" label="Deposit (% of the price)" hint="Paid when a booking is requested; 1 to 100." error={err('deposit_percent')}>
            {(a) => <input {...a} inputMode="numeric" value={d.deposit_percent} onInput={(e) => set({ deposit_percent: e.currentTarget.value })} />}
          </Field>
        </div>

        <h3 id="pkg-title">Packages</h3>
        {err('packages') && <p class="field-error">{err('packages')}</p>}
        {d.packages.length === 0 && <p class="muted">No packages: clients book by the hour.</p>}
        <ol class="editor-list" aria-labelledby="pkg-title">
          {d.packages.map((p, i) => (
            <li key={p.key}>
              <fieldset class="row-edit">
                <legend>Package {i + 1}{p.id ? <span class="muted"> ({p.id})</span> : null}</legend>
                {err(`packages[${i}].id`) && <p class="field-error">{err(`packages[${i}].id`)}</p>}
                <div class="grid3">
                  <Field id={`pk-${p.key}-name`} label="Name" error={err(`packages[${i}].name`)}>
                    {(a) => <input {...a} value={p.name} onInput={(e) => set({ packages: updatePackage(d.packages, p.key, { name: e.currentTarget.value }) })} />}
                  </Field>
                  <Field id={`pk-${p.key}-dur`} label="Minutes" hint="15 to 600, in quarter hours." error={err(`packages[${i}].duration_minutes`)}>
                    {(a) => <input {...a} inputMode="numeric" value={p.duration_minutes} onInput={(e) => set({ packages: updatePackage(d.packages, p.key, { duration_minutes: e.currentTarget.value }) })} />}
                  </Field>
                  <Field id={`pk-${p.key}-price`} label={`Price in ${currency}`}
                    error={err(`packages[${i}].price.amount_minor`) ?? err(`packages[${i}].price.currency`) ?? err(`packages[${i}].price`)}>
                    {(a) => <input {...a} inputMode="decimal" value={p.price} onInput={(e) => set({ packages: updatePackage(d.packages, p.key, { price: e.currentTarget.value }) })} />}
                  </Field>
                </div>
                <label class="inline">
                  <input type="checkbox" checked={p.full_prepayment}
                    onChange={(e) => set({ packages: updatePackage(d.packages, p.key, { full_prepayment: e.currentTarget.checked }) })} />{' '}
                  Paid in full when booked
                </label>
                <button type="button" class="button secondary small" onClick={() => set({ packages: removePackage(d.packages, p.key) })}>
                  Remove package {i + 1}
                </button>
              </fieldset>
            </li>
          ))}
        </ol>
        <button type="button" class="button secondary" onClick={() => set({ packages: addPackage(d.packages) })} disabled={d.packages.length >= 20}>
          Add a package
        </button>

        <h3 id="tiers-title">Cancellation policy</h3>
        <p class="hint">Refund when a client cancels at least so many hours before. A tier with more notice never refunds less.</p>
        {err('cancellation_policy') && <p class="field-error">{err('cancellation_policy')}</p>}
        <ol class="editor-list" aria-labelledby="tiers-title">
          {d.tiers.map((t, i) => (
            <li key={t.key} class="row-inline">
              <Field id={`tier-${t.key}-h`} label={`Tier ${i + 1}: hours before`} error={err(`cancellation_policy[${i}].min_hours_before`)}>
                {(a) => <input {...a} inputMode="numeric" value={t.min_hours_before} onInput={(e) => set({ tiers: updateTier(d.tiers, t.key, { min_hours_before: e.currentTarget.value }) })} />}
              </Field>
              <Field id={`tier-${t.key}-r`} label="Refund %" error={err(`cancellation_policy[${i}].refund_percent`)}>
                {(a) => <input {...a} inputMode="numeric" value={t.refund_percent} onInput={(e) => set({ tiers: updateTier(d.tiers, t.key, { refund_percent: e.currentTarget.value }) })} />}
              </Field>
              <button type="button" class="button secondary small" onClick={() => set({ tiers: removeTier(d.tiers, t.key) })}>
                Remove tier {i + 1}
              </button>
            </li>
          ))}
        </ol>
        {d.tiers.length === 0 && <p class="muted">No tiers: the default policy applies (7 days 100 %, 2 days 50 %).</p>}
        <button type="button" class="button secondary" onClick={() => set({ tiers: addTier(d.tiers) })} disabled={d.tiers.length >= 6}>
          Add a tier
        </button>

        <h3>Dynamic pricing</h3>
        <label class="inline">
          <input type="checkbox" checked={d.dynamic_enabled} onChange={(e) => set({ dynamic_enabled: e.currentTarget.checked })} />{' '}
          Let prices follow demand, within the bounds below
        </label>
        {err('dynamic_pricing') && <p class="field-error">{err('dynamic_pricing')}</p>}
        <div class="grid2">
          <Field id="pf-floor" label="Lowest price (% of the base price)" hint="50 to 100." error={err('dynamic_pricing.floor_percent')}>
            {(a) => <input {...a} inputMode="numeric" value={d.floor_percent} onInput={(e) => set({ floor_percent: e.currentTarget.value })} />}
          </Field>
          <Field id="pf-ceiling" label="Highest price (% of the base price)" hint="100 to 300." error={err('dynamic_pricing.ceiling_percent')}>
            {(a) => <input {...a} inputMode="numeric" value={d.ceiling_percent} onInput={(e) => set({ ceiling_percent: e.currentTarget.value })} />}
          </Field>
        </div>
        {saved && <p><Link href="/photographer/pricing">Preview what a session would cost</Link></p>}

        <p>
          <button class="button" type="submit" disabled={busy}>
            {busy ? 'Saving…' : saved ? 'Save profile' : 'Create profile'}
          </button>
        </p>
      </form>
    </section>
  );
}

const PAYOUT_TEXT: Record<string, string> = {
  not_started: 'Not set up: clients cannot pay you until you set up payouts.',
  pending: 'Being checked by Stripe: finish any step it still asks for.',
  active: 'Active: payments reach your bank account.',
  restricted: 'Restricted: Stripe needs more information from you.',
};

/** The payout account's state and the way to Stripe's hosted onboarding. */
export function Payouts({ profile, title = 'Payouts' }: { profile: OwnProfile; title?: string }) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const status = profile.payouts.status;
  async function start() {
    setBusy(true);
    setError(null);
    try {
      const link = await api.request<PayoutLink>('POST', '/photographers/me/payouts/onboarding', { auth: 'required' });
      // Stripe's hosted onboarding, single use and short lived: go there now. Stripe
      // sends the photographer back to /photographer/payouts (PAYOUTS_RETURN_URL).
      window.location.assign(link.url);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="payouts-title">
      <h2 id="payouts-title">{title}</h2>
      <p data-testid="payout-status">{PAYOUT_TEXT[status] ?? status}</p>
      {error !== null && <ErrorMessage error={error} />}
      {status !== 'active' && (
        <button type="button" class="button secondary" onClick={start} disabled={busy}>
          {busy ? 'Opening Stripe…' : status === 'not_started' ? 'Set up payouts' : 'Continue payout setup'}
        </button>
      )}
    </section>
  );
}

/**
 * Where Stripe's onboarding returns (`?done=1`) or sends an expired link (`?refresh=1`),
 * as stacks/payments.yaml's PAYOUTS_RETURN_URL and PAYOUTS_REFRESH_URL say. The
 * account's state arrives by Stripe's webhook, possibly a moment after the return:
 * after `done` the page reads it a few times until it changes from not started.
 */
export function PayoutsPage({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const done = query.get('done') === '1';
  const [loaded, retry] = useAsync(async () => {
    let p = await ownProfile(api);
    for (let i = 0; done && p && p.payouts.status === 'not_started' && i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      p = await ownProfile(api);
    }
    return p;
  }, [done]);
  return (
    <section>
      <h1>Payouts</h1>
      {done && <p class="alert alert-ok">Thanks: your details went to Stripe.</p>}
      {query.get('refresh') === '1' && (
        <p class="alert alert-error">That setup link had expired or was used already. Continue with a fresh one below.</p>
      )}
      {loaded.state === 'loading' && <Loading what="your payout account" />}
      {loaded.state === 'error' && <ErrorMessage error={loaded.error} retry={retry} />}
      {loaded.state === 'done' && !loaded.value && (
        <div class="empty">
          <p>Create your profile first: payouts belong to it.</p>
          <p><Link class="button" href="/photographer/profile">Create your profile</Link></p>
        </div>
      )}
      {loaded.state === 'done' && loaded.value && <Payouts profile={loaded.value} title="Your payout account" />}
    </section>
  );
}
