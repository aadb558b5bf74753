// The Account page (`/account`), for every role: the profile (name, time zone), how
// notifications reach the person (email, texts, in the app, reminders), the phone number
// and its verification by a texted code, and the calendar subscription address.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { fieldErrors } from '../../api/problem';
import type { Me, SmsEvent } from '../../api/types';
import { ErrorMessage, Field, FormError, Loading, useApp, useAsync } from '../../components/ui';
import { CalendarSection } from './calendar';
import { PhoneSection } from './phone';
import {
  MAX_REMINDERS, REMINDER_HOURS, SMS_EVENTS, groupZones, preferencesBody, preferencesDraft, profilePatch,
  reminderLabel, reminderSelectable, reminderSummary, smsEventLabel, timeIn, timeZones, toggleReminder,
  type PreferencesDraft,
} from './rules';

export function AccountPage() {
  const { api } = useApp();
  const [loaded, retry] = useAsync(() => api.request<Me>('GET', '/me', { auth: 'required' }), []);
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    if (loaded.state === 'done') setMe(loaded.value);
  }, [loaded]);
  if (loaded.state === 'loading') return <Loading what="your account" />;
  if (loaded.state === 'error') {
    return (
      <section>
        <h1>Your account</h1>
        <ErrorMessage error={loaded.error} retry={retry} />
      </section>
    );
  }
  const current = me ?? loaded.value;
  // Every answer that changes the account goes to the shell too (its name in the nav,
  // the zone other screens read).
  const changed = (u: Me) => {
    setMe(u);
    api.updateUser(u);
  };
  return (
    <section class="account">
      <h1>Your account</h1>
      <p class="muted">
        Signed in as <strong>{current.email}</strong> ({current.role}).
      </p>
      <div class="account-grid">
        <ProfileForm me={current} onSaved={changed} />
        <PhoneSection me={current} onChanged={changed} />
        <NotificationsForm me={current} onSaved={changed} />
        <CalendarSection me={current} />
      </div>
    </section>
  );
}

/** A line that says a save went through, read out once by screen readers. */
function Saved({ text }: { text: string | null }) {
  return (
    <p role="status" class={text ? 'saved' : 'sr-only'}>
      {text}
    </p>
  );
}

function ProfileForm({ me, onSaved }: { me: Me; onSaved: (u: Me) => void }) {
  const { api } = useApp();
  const [name, setName] = useState(me.name);
  const [zone, setZone] = useState(me.timezone);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const groups = useMemo(() => groupZones(timeZones(me.timezone)), [me.timezone]);
  const browserZone = useMemo(() => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      return '';
    }
  }, []);
  const { byField, rest } = fieldErrors(error, ['name', 'timezone']);

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(null);
    const patch = profilePatch(me, { name, timezone: zone });
    if (!patch) {
      setSaved('Nothing to save: the name and time zone are as they were.');
      return;
    }
    setBusy(true);
    try {
      const u = await api.request<Me>('PATCH', '/me', { auth: 'required', body: patch });
      onSaved(u);
      setName(u.name);
      setZone(u.timezone);
      setSaved(`Saved. Your time zone is ${u.timezone}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const here = timeIn(zone);
  return (
    <section class="panel" aria-labelledby="acct-profile">
      <h2 id="acct-profile">Profile</h2>
      <form onSubmit={save} noValidate>
        <FormError error={error} rest={rest} />
        <Field id="acct-name" label="Name" hint="As photographers and clients see it." error={byField.name}>
          {(a) => <input {...a} autoComplete="name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field
          id="acct-zone"
          label="Time zone"
          hint={`Emails, texts and reminders give times in this zone${here ? ` (it is ${here} there now)` : ''}.`}
          error={byField.timezone}
        >
          {(a) => (
            <select {...a} value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
              {groups.map((g) => (
                <optgroup key={g.group} label={g.group}>
                  {g.zones.map((z) => (
                    <option key={z.value} value={z.value}>
                      {g.group === 'Other' ? z.label : `${z.label} (${g.group})`}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        {browserZone && browserZone !== zone && (
          <p>
            <button type="button" class="linklike" onClick={() => setZone(browserZone)}>
              Use this device's time zone ({browserZone})
            </button>
          </p>
        )}
        <button class="button" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
        <Saved text={saved} />
      </form>
    </section>
  );
}

function NotificationsForm({ me, onSaved }: { me: Me; onSaved: (u: Me) => void }) {
  const { api } = useApp();
  const [d, setD] = useState<PreferencesDraft>(() => preferencesDraft(me.notification_preferences));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const known = ['notification_preferences.email', 'notification_preferences.sms', 'notification_preferences.push',
    'notification_preferences.reminder_hours', 'notification_preferences.sms_events'];
  const { byField, rest } = fieldErrors(error, known);
  const set = (change: Partial<PreferencesDraft>) => {
    setSaved(null);
    setD((old) => ({ ...old, ...change }));
  };
  const full = d.reminder_hours.length >= MAX_REMINDERS;

  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    setSaved(null);
    setBusy(true);
    try {
      const u = await api.request<Me>('PATCH', '/me', { auth: 'required', body: preferencesBody(d) });
      onSaved(u);
      setD(preferencesDraft(u.notification_preferences));
      setSaved(`Saved. ${reminderSummary(u.notification_preferences.reminder_hours)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const toggleEvent = (ev: SmsEvent, on: boolean) =>
    set({ sms_events: SMS_EVENTS.filter((x) => (x === ev ? on : d.sms_events.includes(x))) });
  return (
    <section class="panel" aria-labelledby="acct-notif">
      <h2 id="acct-notif">Notifications</h2>
      <form onSubmit={save} noValidate>
        <FormError error={error} rest={rest} />
        <fieldset class="choice">
          <legend>How we tell you about your bookings</legend>
          <label class="inline">
            <input type="checkbox" checked={d.email} onChange={(e) => set({ email: e.currentTarget.checked })} /> By email
          </label>
          <label class="inline">
            <input type="checkbox" checked={d.push} onChange={(e) => set({ push: e.currentTarget.checked })} /> In the app
          </label>
          <label class="inline">
            <input
              type="checkbox"
              checked={d.sms}
              aria-describedby="acct-sms-hint"
              onChange={(e) => set({ sms: e.currentTarget.checked })}
            />{' '}
            By text message
          </label>
          <p class="hint" id="acct-sms-hint">
            Texts go only to a verified mobile number{me.phone_verified ? ` (yours: ${me.phone})` : ''}, and never to a number
            that replied STOP.
          </p>
          {byField['notification_preferences.email'] && <p class="field-error">{byField['notification_preferences.email']}</p>}
        </fieldset>
        {d.sms && !me.phone_verified && (
          <p class="alert alert-warn" data-testid="sms-unverified">
            Texts are on, but no verified number can receive them yet: <a href="#acct-phone">verify your number</a> under
            Phone.
          </p>
        )}
        {d.sms && (
          <fieldset class="choice" aria-describedby={byField['notification_preferences.sms_events'] ? 'acct-events-error' : undefined}>
            <legend>Texts for</legend>
            {SMS_EVENTS.map((ev) => (
              <label class="inline" key={ev}>
                <input type="checkbox" checked={d.sms_events.includes(ev)} onChange={(e) => toggleEvent(ev, e.currentTarget.checked)} />{' '}
                {smsEventLabel(ev)}
              </label>
            ))}
            {d.sms_events.length === 0 && <p class="hint">Choose at least one, or no texts are sent.</p>}
            {byField['notification_preferences.sms_events'] && (
              <p class="field-error" id="acct-events-error">{byField['notification_preferences.sms_events']}</p>
            )}
          </fieldset>
        )}
        <fieldset class="choice" aria-describedby="acct-rem-hint">
          <legend>Reminders before each confirmed session</legend>
          <p class="hint" id="acct-rem-hint">
            Up to {MAX_REMINDERS}, by email with the calendar invite and in the app. Choose none to turn reminders off.
          </p>
          <div class="checks">
            {REMINDER_HOURS.map((h) => (
              <label class="inline" key={h}>
                <input
                  type="checkbox"
                  checked={d.reminder_hours.includes(h)}
                  disabled={!reminderSelectable(d.reminder_hours, h)}
                  onChange={(e) => set({ reminder_hours: toggleReminder(d.reminder_hours, h, e.currentTarget.checked) })}
                />{' '}
                {reminderLabel(h)}
              </label>
            ))}
          </div>
          <p class={full ? 'note' : 'hint'} aria-live="polite" data-testid="reminder-count">
            {d.reminder_hours.length} of {MAX_REMINDERS} chosen{full ? ': untick one to choose another.' : '.'}
          </p>
          {byField['notification_preferences.reminder_hours'] && (
            <p class="field-error">{byField['notification_preferences.reminder_hours']}</p>
          )}
        </fieldset>
        <button class="button" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save notifications'}
        </button>
        <Saved text={saved} />
      </form>
    </section>
  );
}
