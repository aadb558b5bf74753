// The phone number and its verification: the number is texted a 6-digit code
// (POST /me/phone/verification) and becomes the account's, verified, only when the
// code comes back (POST /me/phone/verification/confirm).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, fieldErrors } from '../../api/problem';
import type { Me, PhoneVerificationSent } from '../../api/types';
import { Field, FormError, useApp } from '../../components/ui';
import { clockTime } from '../../format';
import { cleanCode, confirmRefusal, countdown, secondsUntil, sendRefusalText, sendWait } from './rules';

/** A code on its way survives a reload of the page (the API has no read of it): kept
 * for the tab only, and only what the answer said, never the code. */
const KEY = 'cm.account.pending-phone';
function loadPending(user: string): PhoneVerificationSent | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as (PhoneVerificationSent & { user: string }) | null;
    if (!v || v.user !== user || secondsUntil(v.expires_at, Date.now()) === 0) return null;
    return { phone: v.phone, expires_at: v.expires_at, resend_after: v.resend_after };
  } catch {
    return null;
  }
}
function storePending(user: string, p: PhoneVerificationSent | null): void {
  try {
    if (p) sessionStorage.setItem(KEY, JSON.stringify({ ...p, user }));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (a private window): the flow works, only not across a reload.
  }
}

/** Milliseconds since the epoch, every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [on]);
  return now;
}

export function PhoneSection({ me, onChanged }: { me: Me; onChanged: (u: Me) => void }) {
  const { api } = useApp();
  const [pending, setPendingState] = useState<PhoneVerificationSent | null>(() => loadPending(me.id));
  const [editing, setEditing] = useState(false);
  const [number, setNumber] = useState(me.phone ?? '');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<'send' | 'confirm' | null>(null);
  const [sendError, setSendError] = useState<unknown>(null);
  const [confirmError, setConfirmError] = useState<unknown>(null);
  /** No new code before this (ms): a refused send's Retry-After. */
  const [blockedUntil, setBlockedUntil] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const [removing, setRemoving] = useState<'ask' | 'busy' | null>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const numberInput = useRef<HTMLInputElement>(null);
  const now = useNow(pending !== null || blockedUntil > Date.now());

  const setPending = (p: PhoneVerificationSent | null) => {
    setPendingState(p);
    storePending(me.id, p);
  };

  async function send(phone: string) {
    setSendError(null);
    setConfirmError(null);
    setDone(null);
    setBusy('send');
    try {
      const sent = await api.request<PhoneVerificationSent>('POST', '/me/phone/verification', {
        auth: 'required', body: { phone },
      });
      setPending(sent);
      setCode('');
      setEditing(false);
      window.setTimeout(() => codeInput.current?.focus(), 0);
    } catch (err) {
      const wait = sendWait(err);
      if (wait !== null) setBlockedUntil(Date.now() + wait * 1000);
      setSendError(err);
    } finally {
      setBusy(null);
    }
  }

  async function confirm(e: Event) {
    e.preventDefault();
    if (!pending) return;
    setConfirmError(null);
    setBusy('confirm');
    try {
      const u = await api.request<Me>('POST', '/me/phone/verification/confirm', {
        auth: 'required', body: { code: cleanCode(code) },
      });
      setPending(null);
      setCode('');
      setNumber(u.phone ?? '');
      onChanged(u);
      setDone(`${u.phone} is verified: texts you choose under Notifications can go to it.`);
    } catch (err) {
      setConfirmError(err);
      if (!(err instanceof ApiError) || err.status !== 422) return;
      window.setTimeout(() => codeInput.current?.select(), 0);
    } finally {
      setBusy(null);
    }
  }

  async function remove() {
    setRemoveError(null);
    setRemoving('busy');
    try {
      const u = await api.request<Me>('PATCH', '/me', { auth: 'required', body: { phone: null } });
      onChanged(u);
      setNumber('');
      setDone('Your number is removed: no texts go to you until you verify one again.');
      setRemoving(null);
    } catch (err) {
      setRemoveError(err);
      setRemoving('ask');
    }
  }

  function start() {
    setEditing(true);
    setDone(null);
    setSendError(null);
    window.setTimeout(() => numberInput.current?.focus(), 0);
  }

  const blocked = Math.max(0, Math.ceil((blockedUntil - now) / 1000));
  const expiresIn = pending ? secondsUntil(pending.expires_at, now) : 0;
  const resendIn = pending ? Math.max(secondsUntil(pending.resend_after, now), blocked) : blocked;
  const refusal = confirmRefusal(confirmError);
  // Said once when the refusal comes (an alert that changed every second would be read
  // out every second); the button counts down instead.
  const waitNote = blocked > 0 ? sendRefusalText(sendError) : null;
  // A refusal to wait, once the wait is over, is no longer news.
  const shownSendError = sendWait(sendError) !== null && blocked === 0 ? null : sendError;
  const sendFields = fieldErrors(shownSendError, ['phone']);

  return (
    <section class="panel" aria-labelledby="acct-phone-h" id="acct-phone" tabIndex={-1}>
      <h2 id="acct-phone-h">Phone</h2>
      <dl class="facts">
        <dt>Number</dt>
        <dd data-testid="phone-number">{me.phone ?? <span class="muted">None yet</span>}</dd>
        {me.phone && (
          <>
            <dt>Texts</dt>
            <dd data-testid="phone-state">
              {me.phone_verified ? (
                <span class="status status-confirmed">Verified</span>
              ) : (
                <>
                  <span class="status status-pending">Not verified</span> <span class="muted">No texts go to it until it is.</span>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
      <div role="status" class={done ? 'alert alert-ok' : 'sr-only'}>{done}</div>

      {!pending && !editing && !removing && (
        <div class="actions">
          <button type="button" class={me.phone_verified ? 'button secondary' : 'button'} onClick={start}>
            {me.phone_verified ? 'Change number' : 'Verify by text'}
          </button>
          {me.phone && (
            <button type="button" class="button secondary" onClick={() => { setDone(null); setRemoving('ask'); }}>
              Remove number
            </button>
          )}
        </div>
      )}

      {removing && me.phone && (
        <div class="confirm" role="group" aria-labelledby="acct-remove-q">
          <FormError error={removeError} />
          <p id="acct-remove-q">Remove {me.phone}? No texts go to you until you verify a number again.</p>
          <div class="actions">
            <button type="button" class="button danger" disabled={removing === 'busy'} onClick={() => void remove()}>
              {removing === 'busy' ? 'Removing…' : 'Yes, remove it'}
            </button>
            <button type="button" class="button secondary" onClick={() => { setRemoving(null); setRemoveError(null); }}>
              Keep it
            </button>
          </div>
        </div>
      )}

      {!pending && editing && (
        <form onSubmit={(e) => { e.preventDefault(); void send(number); }} noValidate aria-label="Verify a number by text">
          {waitNote ? <p class="alert alert-error" role="alert">{waitNote}</p> : <FormError error={sendFields.byField.phone ? null : shownSendError} rest={sendFields.rest} />}
          <Field
            id="acct-number"
            label="Mobile number"
            hint="With the country code, e.g. +44 7700 900123. We text it a 6-digit code; it becomes your number once you type the code here."
            error={sendFields.byField.phone}
          >
            {(a) => (
              <input
                {...a}
                ref={numberInput}
                type="tel"
                autoComplete="tel"
                inputMode="tel"
                value={number}
                onInput={(e) => setNumber(e.currentTarget.value)}
              />
            )}
          </Field>
          <div class="actions">
            <button class="button" type="submit" disabled={busy !== null || blocked > 0}>
              {busy === 'send' ? 'Sending…' : blocked > 0 ? `Text me a code (in ${countdown(blocked)})` : 'Text me a code'}
            </button>
            <button type="button" class="button secondary" onClick={() => { setEditing(false); setSendError(null); }}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {pending && (
        <div class="verify">
          <p data-testid="code-sent">
            We texted a code to <strong>{pending.phone}</strong>.{' '}
            {expiresIn > 0
              ? <>It works until {clockTime(pending.expires_at)} ({countdown(expiresIn)} left).</>
              : <strong>It has expired: send a new code.</strong>}
          </p>
          <form onSubmit={confirm} noValidate aria-label="Confirm the texted code">
            {refusal && !refusal.field && <p class="alert alert-error" role="alert">{refusal.message}</p>}
            {!refusal && confirmError !== null && <FormError error={confirmError} />}
            <Field id="acct-code" label="Code from the text" hint="6 digits." error={refusal?.field ? refusal.message : undefined}>
              {(a) => (
                <input
                  {...a}
                  ref={codeInput}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  maxLength={9}
                  value={code}
                  onInput={(e) => setCode(e.currentTarget.value)}
                />
              )}
            </Field>
            <div class="actions">
              <button class="button" type="submit" disabled={busy !== null || expiresIn === 0 || refusal?.restart === true}>
                {busy === 'confirm' ? 'Checking…' : 'Confirm code'}
              </button>
            </div>
          </form>
          {waitNote && <p class="alert alert-error" role="alert">{waitNote}</p>}
          {!waitNote && shownSendError !== null && <FormError error={shownSendError} />}
          <div class="actions">
            <button
              type="button"
              class="button secondary"
              disabled={busy !== null || resendIn > 0}
              aria-describedby="acct-resend-hint"
              onClick={() => void send(pending.phone)}
            >
              {busy === 'send' ? 'Sending…' : 'Send a new code'}
            </button>
            <button type="button" class="linklike" onClick={() => { setPending(null); setConfirmError(null); start(); }}>
              Use a different number
            </button>
          </div>
          <p class="hint" id="acct-resend-hint" data-testid="resend-hint">
            {resendIn > 0 ? `You can ask for a new code in ${countdown(resendIn)}.` : 'A new code replaces this one.'}
          </p>
        </div>
      )}
    </section>
  );
}
