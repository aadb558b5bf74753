// The calendar subscription: a secret address (PUT /me/calendar-feed) that calendar
// apps poll for the person's bookings. The API keeps only a hash of it, so it is shown
// once, here; making a new one stops the old one, and DELETE turns it off.
import { useRef, useState } from 'preact/hooks';
import type { CalendarFeed, Me } from '../../api/types';
import { FormError, useApp } from '../../components/ui';

export function CalendarSection({ me }: { me: Me }) {
  const { api } = useApp();
  const [feed, setFeed] = useState<CalendarFeed | null>(null);
  const [busy, setBusy] = useState<'make' | 'revoke' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<'replace' | 'revoke' | null>(null);
  const address = useRef<HTMLInputElement>(null);

  // For clients and photographers (their bookings); the API refuses admins (403).
  if (me.role === 'admin') {
    return (
      <section class="panel" aria-labelledby="acct-cal">
        <h2 id="acct-cal">Calendar subscription</h2>
        <p>Calendar subscriptions list a client's or photographer's own bookings; an administrator's account has none.</p>
      </section>
    );
  }

  async function make() {
    setError(null);
    setNote(null);
    setConfirming(null);
    setBusy('make');
    try {
      const f = await api.request<CalendarFeed>('PUT', '/me/calendar-feed', { auth: 'required' });
      setFeed(f);
      setNote('Your new calendar address is below. Any earlier address has stopped working.');
      window.setTimeout(() => address.current?.select(), 0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function revoke() {
    setError(null);
    setNote(null);
    setConfirming(null);
    setBusy('revoke');
    try {
      await api.request<void>('DELETE', '/me/calendar-feed', { auth: 'required' });
      setFeed(null);
      setNote('Turned off: calendars subscribed to your address no longer get your bookings.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function copy() {
    if (!feed) return;
    try {
      await navigator.clipboard.writeText(feed.url);
      setNote('Copied. Paste it into your calendar app as a subscription.');
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it to copy by hand.
      address.current?.select();
      setNote('Selected: copy it with Ctrl+C (⌘C on a Mac), or long-press on a phone.');
    }
  }

  const ask = (what: 'replace' | 'revoke') => {
    setNote(null);
    setConfirming(what);
  };
  return (
    <section class="panel" aria-labelledby="acct-cal">
      <h2 id="acct-cal">Calendar subscription</h2>
      <p>
        See your {me.role === 'photographer' ? 'sessions' : 'bookings'} in your own calendar app, kept up to date: make a
        private address and subscribe to it.
      </p>
      <p class="hint">
        The address is a secret (anyone who has it can read your bookings) and is shown only once. Lost it? Make a new
        one: the old one stops working. If you made one before, it keeps working until you replace it or turn it off.
      </p>
      <FormError error={error} />
      <div role="status" class={note ? 'alert alert-ok' : 'sr-only'}>{note}</div>
      {feed && (
        <div class="feed">
          <div class="field">
            <label for="acct-feed">Your calendar address</label>
            <input id="acct-feed" ref={address} readOnly value={feed.url} aria-describedby="acct-feed-hint" onFocus={(e) => e.currentTarget.select()} />
          </div>
          <p>
            <button type="button" class="button" onClick={() => void copy()}>Copy the address</button>
          </p>
          <div class="hint" id="acct-feed-hint">
            <p>Add it as a subscription, not an import, so new bookings appear:</p>
            <ul>
              <li><strong>Google Calendar</strong> (on a computer): Other calendars, +, From URL.</li>
              <li><strong>Outlook</strong>: Add calendar, Subscribe from web.</li>
              <li><strong>Apple Calendar</strong>: File, New Calendar Subscription (on iPhone: Settings, Calendar, Accounts, Add Account, Other, Add Subscribed Calendar).</li>
            </ul>
            <p>Calendar apps fetch it every few hours, so a change can take a while to show.</p>
          </div>
        </div>
      )}
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="acct-cal-confirm">
          <p id="acct-cal-confirm">
            {confirming === 'replace'
              ? 'Make a new address? Calendars subscribed to the old one stop getting your bookings.'
              : 'Turn the address off? Calendars subscribed to it stop getting your bookings.'}
          </p>
          <div class="actions">
            <button type="button" class={confirming === 'revoke' ? 'button danger' : 'button'} onClick={() => void (confirming === 'replace' ? make() : revoke())}>
              {confirming === 'replace' ? 'Yes, make a new address' : 'Yes, turn it off'}
            </button>
            <button type="button" class="button secondary" onClick={() => setConfirming(null)}>Keep it</button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="button" class="button" disabled={busy !== null} onClick={() => (feed ? ask('replace') : void make())}>
            {busy === 'make' ? 'Making it…' : feed ? 'Make a new address' : 'Make my calendar address'}
          </button>
          <button type="button" class="button secondary" disabled={busy !== null} onClick={() => ask('revoke')}>
            {busy === 'revoke' ? 'Turning it off…' : 'Turn off my address'}
          </button>
        </div>
      )}
    </section>
  );
}
