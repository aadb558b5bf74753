import { useState } from 'preact/hooks';
import type { Availability, OwnProfile, PricePreview } from '../../api/photographer';
import { ApiError, fieldErrors } from '../../api/problem';
import { ErrorMessage, Field, FormError, Link, Loading, useApp, useAsync } from '../../components/ui';
import { addDays, durationLabel, formatMoney, label, today } from '../../format';
import { factorLabel, multiplierText } from '../book';
import { wallToInstant } from './hours-rules';
import { ownProfile } from './profile';
import { draftFrom, toInput } from './profile-form';

interface Loaded { profile: OwnProfile | null; zone: string }

export function PricingPage() {
  const { api, session } = useApp();
  const [loaded, retry] = useAsync<Loaded>(async () => {
    const [profile, hours] = await Promise.all([
      ownProfile(api),
      api.request<Availability>('GET', '/photographers/me/availability', { auth: 'required' }).catch((e) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
    ]);
    return { profile, zone: hours?.timezone ?? session?.user.timezone ?? 'UTC' };
  }, []);
  if (loaded.state === 'loading') return <Loading what="your prices" />;
  if (loaded.state === 'error') return <ErrorMessage error={loaded.error} retry={retry} />;
  if (!loaded.value.profile) {
    return (
      <section>
        <h1>Pricing</h1>
        <div class="empty">
          <p>Create your profile first: prices start from its hourly rate and packages.</p>
          <p><Link class="button" href="/photographer/profile">Create your profile</Link></p>
        </div>
      </section>
    );
  }
  return <Pricing profile={loaded.value.profile} zone={loaded.value.zone} />;
}

const PREVIEW_FIELDS = ['start', 'duration_minutes', 'package_id', 'event_type', 'floor_percent', 'ceiling_percent'];

function Pricing({ profile: initial, zone }: { profile: OwnProfile; zone: string }) {
  const { api, flash } = useApp();
  const [profile, setProfile] = useState(initial);
  const [date, setDate] = useState(addDays(today(), 14));
  const [time, setTime] = useState('10:00');
  const [pkg, setPkg] = useState('');
  const [duration, setDuration] = useState('120');
  const [eventType, setEventType] = useState<string>(initial.specializations[0] ?? '');
  const [enabled, setEnabled] = useState(initial.dynamic_pricing.enabled);
  const [floor, setFloor] = useState(String(initial.dynamic_pricing.floor_percent));
  const [ceiling, setCeiling] = useState(String(initial.dynamic_pricing.ceiling_percent));
  const [preview, setPreview] = useState<PricePreview | null>(null);
  const [busy, setBusy] = useState<'preview' | 'save' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const { byField, rest } = fieldErrors(error, PREVIEW_FIELDS);
  const saveFields = fieldErrors(saveError, ['dynamic_pricing.floor_percent', 'dynamic_pricing.ceiling_percent']);

  async function run(e: Event) {
    e.preventDefault();
    const start = wallToInstant(`${date}T${time}`, zone);
    setError(null);
    if (!start) {
      setError(new ApiError({ type: 'about:blank', title: 'Check the form', status: 400, detail: 'Choose a date and a time HH:MM.', errors: [{ field: 'start', message: 'Choose a date and a time HH:MM.' }] }));
      return;
    }
    setBusy('preview');
    try {
      const p = await api.request<PricePreview>('GET', '/photographers/me/pricing-preview', {
        auth: 'required',
        query: {
          start,
          package_id: pkg || undefined,
          duration_minutes: pkg ? undefined : duration,
          event_type: eventType || undefined,
          floor_percent: floor,
          ceiling_percent: ceiling,
        },
      });
      setPreview(p);
    } catch (err) {
      setPreview(null);
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function save() {
    const { input } = toInput(draftFrom(profile));
    setSaveError(null);
    if (!input) {
      setSaveError(new ApiError({ type: 'about:blank', title: 'Profile incomplete', status: 422, detail: 'Your profile has fields to fix first: open your profile.' }));
      return;
    }
    setBusy('save');
    try {
      input.dynamic_pricing = { enabled, floor_percent: Number(floor), ceiling_percent: Number(ceiling) };
      await api.request('PUT', '/photographers/me', { auth: 'required', body: input });
      const own = await ownProfile(api);
      if (own) setProfile(own);
      flash(enabled ? `Dynamic pricing is on, between ${floor} % and ${ceiling} % of your prices.` : 'Dynamic pricing is off: every quote is your plain price.');
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section>
      <h1>Pricing</h1>
      <p>
        Dynamic pricing is <strong data-testid="dynamic-state">{profile.dynamic_pricing.enabled ? 'on' : 'off'}</strong>
        {profile.dynamic_pricing.enabled && ` (between ${profile.dynamic_pricing.floor_percent} % and ${profile.dynamic_pricing.ceiling_percent} % of the base price)`}.
        {' '}A preview always prices as if it were on, within the bounds below; nothing is saved until you save.
      </p>
      <form onSubmit={run} noValidate aria-label="Preview a price">
        <FormError error={error} rest={rest} />
        <h2>A session to price</h2>
        <div class="grid3">
          <Field id="pp-date" label="Date" error={byField.start}>
            {(a) => <input {...a} type="date" value={date} min={today()} onInput={(e) => setDate(e.currentTarget.value)} />}
          </Field>
          <Field id="pp-time" label={`Start (${zone})`} hint="HH:MM">
            {(a) => <input {...a} type="text" inputMode="numeric" value={time} onInput={(e) => setTime(e.currentTarget.value)} />}
          </Field>
          <Field id="pp-package" label="Package" error={byField.package_id}>
            {(a) => (
              <select {...a} value={pkg} onChange={(e) => setPkg(e.currentTarget.value)}>
                <option value="">By the hour ({formatMoney(profile.hourly_rate)} an hour)</option>
                {profile.packages.map((k) => (
                  <option key={k.id} value={k.id}>{k.name}: {durationLabel(k.duration_minutes)}, {formatMoney(k.price)}</option>
                ))}
              </select>
            )}
          </Field>
          {!pkg && (
            <Field id="pp-duration" label="Minutes" hint="15 to 600, in quarter hours." error={byField.duration_minutes}>
              {(a) => <input {...a} inputMode="numeric" value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />}
            </Field>
          )}
          <Field id="pp-event" label="Kind of session" error={byField.event_type}>
            {(a) => (
              <select {...a} value={eventType} onChange={(e) => setEventType(e.currentTarget.value)}>
                {profile.specializations.map((s) => <option key={s} value={s}>{label(s)}</option>)}
              </select>
            )}
          </Field>
        </div>
        <h2>Your bounds</h2>
        <div class="grid3">
          <Field id="pp-floor" label="Lowest (% of base)" hint="50 to 100." error={byField.floor_percent ?? saveFields.byField['dynamic_pricing.floor_percent']}>
            {(a) => <input {...a} inputMode="numeric" value={floor} onInput={(e) => setFloor(e.currentTarget.value)} />}
          </Field>
          <Field id="pp-ceiling" label="Highest (% of base)" hint="100 to 300." error={byField.ceiling_percent ?? saveFields.byField['dynamic_pricing.ceiling_percent']}>
            {(a) => <input {...a} inputMode="numeric" value={ceiling} onInput={(e) => setCeiling(e.currentTarget.value)} />}
          </Field>
        </div>
        <button class="button" type="submit" disabled={busy !== null}>{busy === 'preview' ? 'Working it out…' : 'Preview the price'}</button>
      </form>

      {preview && (
        <section class="quote" aria-labelledby="pp-result" aria-live="polite">
          <h2 id="pp-result">{durationLabel(preview.duration_minutes)} of {label(preview.event_type)} on {date} at {time}</h2>
          <p class="total">
            <strong data-testid="preview-price">{formatMoney(preview.price)}</strong>
            <span class="muted"> (base price {formatMoney(preview.base_price)}, factors together {multiplierText(preview.multiplier)})</span>
          </p>
          <ul class="factors">
            {preview.factors.map((f) => (
              <li key={f.factor}>
                <strong>{factorLabel(f.factor)}</strong> <span class="mult">×{f.multiplier.toFixed(3)} ({multiplierText(f.multiplier)})</span>
                <br />
                <span class="muted">{f.reason}</span>
              </li>
            ))}
          </ul>
          <p>
            Between <strong>{formatMoney(preview.bounds.floor)}</strong> (lowest) and <strong>{formatMoney(preview.bounds.ceiling)}</strong> (highest).
            {preview.limit && <> Held at your {preview.limit === 'floor' ? 'lowest' : 'highest'} price.</>}
          </p>
          {preview.forecast && (
            <p class="muted">Demand read from {preview.forecast.series} ({preview.forecast.model}, as of {preview.forecast.as_of}).</p>
          )}
        </section>
      )}

      <section class="panel" aria-labelledby="pp-save">
        <h2 id="pp-save">Save your pricing</h2>
        <FormError error={saveError} rest={saveFields.rest} />
        <label class="inline">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Let prices follow demand
        </label>
        <p>
          <button type="button" class="button secondary" onClick={save} disabled={busy !== null}>
            {busy === 'save' ? 'Saving…' : `Save: ${enabled ? `on, ${floor} % to ${ceiling} %` : 'off'}`}
          </button>
        </p>
      </section>
    </section>
  );
}
