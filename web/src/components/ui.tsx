import type { ComponentChildren, JSX } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient, SessionState } from '../api/client';
import { describe } from '../api/problem';
import { onLinkClick } from '../router';

export interface AppContext {
  api: ApiClient;
  session: SessionState | null;
  /** A message for the next screen (after sign-in, after booking), read once. */
  flash: (message: string) => void;
}
export const App = createContext<AppContext | null>(null);
export function useApp(): AppContext {
  const ctx = useContext(App);
  if (!ctx) throw new Error('useApp outside <App.Provider>');
  return ctx;
}

export function Link(props: JSX.HTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={onLinkClick} />;
}

/** The three states of anything loaded: a result, a refusal, or still waiting. */
export type Async<T> =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'done'; value: T };

/** Runs `load` whenever `deps` change; an answer to an older run is ignored. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Async<T>, () => void] {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const run = useRef(0);
  useEffect(() => {
    const mine = ++run.current;
    setResult({ state: 'loading' });
    load().then(
      (value) => mine === run.current && setResult({ state: 'done', value }),
      (error) => mine === run.current && setResult({ state: 'error', error }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const retry = useCallback(() => setRound((r) => r + 1), []);
  return [result, retry];
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="alert alert-error" role="alert">
      <p>{describe(error)}</p>
      {retry && (
        <button type="button" class="button secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

interface FieldProps {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: (a11y: {
    id: string;
    'aria-invalid': boolean | undefined;
    'aria-describedby': string | undefined;
  }) => ComponentChildren;
}

/** A labelled control with its hint and its error (from the problem's `errors`)
 * right under it, tied to the control for screen readers. */
export function Field({ id, label, error, hint, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The form's own summary of a refusal: the problem's detail and the errors that
 * belong to no field on the form. Focused when it appears, so keyboard and screen
 * reader users land on it. */
export function FormError({ error, rest }: { error: unknown; rest?: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert" tabIndex={-1} ref={ref}>
      <p>{describe(error)}</p>
      {rest && rest.length > 0 && (
        <ul>
          {rest.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Stars({ average, count }: { average: number; count: number }) {
  if (count === 0) return <span class="muted">No reviews yet</span>;
  return (
    <span class="stars">
      <span aria-hidden="true">★</span> {average.toFixed(1)}{' '}
      <span class="muted">
        ({count} review{count === 1 ? '' : 's'})
      </span>
    </span>
  );
}

/** The current time, moved on every `ms`, so what depends on it (a refund, a link's
 * expiry) stays true while the page is open. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

/** A signed-in page opened without a session: sign in, then come back here. */
export function SignInFirst({ path, query }: { path: string; query: URLSearchParams }) {
  const next = path + (query.toString() ? `?${query}` : '');
  return (
    <section class="narrow">
      <h1>Sign in to continue</h1>
      <p>
        <Link class="button" href={`/sign-in?next=${encodeURIComponent(next)}`}>
          Sign in
        </Link>
      </p>
    </section>
  );
}
