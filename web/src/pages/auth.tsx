import { useState } from 'preact/hooks';
import { fieldErrors } from '../api/problem';
import type { Role } from '../api/types';
import { Field, FormError, Link, useApp } from '../components/ui';
import { navigate } from '../router';

/** Where to go after signing in: the page that sent the person here, if it is ours. */
export function nextPath(query: URLSearchParams, fallback: string): string {
  const next = query.get('next');
  // `//host` and `/\host` are other sites to a browser.
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : fallback;
}

/** Where each role starts after signing in, when no page sent them here: the screen
 * of their work (an admin's dashboard, a photographer's requests), a client's search. */
export function landingPath(role: Role): string {
  if (role === 'admin') return '/admin';
  if (role === 'photographer') return '/photographer/bookings';
  return '/';
}

export function SignIn({ query }: { query: URLSearchParams }) {
  const { api, flash } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { byField, rest } = fieldErrors(error, ['email', 'password']);

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const user = await api.login({ email: String(form.get('email')), password: String(form.get('password')) });
      flash(`Signed in as ${user.name}.`);
      navigate(nextPath(query, landingPath(user.role)), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <FormError error={error} rest={rest} />
        <Field id="signin-email" label="Email" error={byField.email}>
          {(a) => <input {...a} name="email" type="email" autocomplete="email" required />}
        </Field>
        <Field id="signin-password" label="Password" error={byField.password}>
          {(a) => <input {...a} name="password" type="password" autocomplete="current-password" required />}
        </Field>
        <button class="button" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <Link href={`/register${query.get('next') ? `?next=${encodeURIComponent(query.get('next') ?? '')}` : ''}`}>Create an account</Link>
      </p>
    </section>
  );
}

const REGISTER_FIELDS = ['name', 'email', 'password', 'role', 'phone', 'timezone'];

export function Register({ query }: { query: URLSearchParams }) {
  const { api, flash } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { byField, rest } = fieldErrors(error, REGISTER_FIELDS);
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || null;

  async function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const role = form.get('role') === 'photographer' ? 'photographer' : 'client';
      const phone = String(form.get('phone') ?? '').trim();
      const user = await api.register({
        name: String(form.get('name') ?? ''),
        email: String(form.get('email') ?? ''),
        password: String(form.get('password') ?? ''),
        role,
        phone: phone || null,
        timezone,
      });
      flash(`Welcome, ${user.name}. Your account is ready.`);
      // A new photographer starts with the profile clients will find.
      navigate(nextPath(query, user.role === 'photographer' ? '/photographer/profile' : '/'), { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section class="narrow">
      <h1>Create your account</h1>
      <form onSubmit={submit} noValidate>
        <FormError error={error} rest={rest} />
        <Field id="reg-name" label="Full name" error={byField.name}>
          {(a) => <input {...a} name="name" autocomplete="name" required />}
        </Field>
        <Field id="reg-email" label="Email" error={byField.email}>
          {(a) => <input {...a} name="email" type="email" autocomplete="email" required />}
        </Field>
        <Field id="reg-password" label="Password" hint="At least 10 characters." error={byField.password}>
          {(a) => <input {...a} name="password" type="password" autocomplete="new-password" required />}
        </Field>
        <Field id="reg-phone" label="Phone (optional)" hint="International format, e.g. +91 98765 43210." error={byField.phone}>
          {(a) => <input {...a} name="phone" type="tel" autocomplete="tel" />}
        </Field>
        <fieldset class="choice">
          <legend>I want to</legend>
          <label>
            <input type="radio" name="role" value="client" checked /> book photographers
          </label>
          <label>
            <input type="radio" name="role" value="photographer" /> offer my photography
          </label>
          {byField.role && <p class="field-error">{byField.role}</p>}
        </fieldset>
        {byField.timezone && <p class="field-error">Time zone {timezone}: {byField.timezone}</p>}
        <button class="button" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
