import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AdminUser } from '../../api/admin';
import { fieldErrors } from '../../api/problem';
import type { Page, Role } from '../../api/types';
import { Empty, ErrorMessage, Field, Loading, useApp } from '../../components/ui';
import { label } from '../../format';
import { navigate } from '../../router';
import { periodLabel } from './chartdata';
import { MoreButton, usePaged } from './paged';

const ROLES: readonly Role[] = ['client', 'photographer', 'admin'];

/** Accounts, newest first, with deactivation and reactivation (PATCH /admin/users/{id}). */
export function Users({ query }: { query: URLSearchParams }) {
  const { api, session } = useApp();
  const role = query.get('role') ?? '';
  const p = usePaged<AdminUser>(
    (cursor) => api.request<Page<AdminUser>>('GET', '/admin/users', { query: { role, limit: 25, cursor }, auth: 'required' }),
    [role],
  );
  const { byField } = fieldErrors(p.first.state === 'error' ? p.first.error : null);

  function submit(e: Event) {
    e.preventDefault();
    const v = String(new FormData(e.currentTarget as HTMLFormElement).get('role') ?? '');
    navigate(v ? `/admin/users?role=${encodeURIComponent(v)}` : '/admin/users');
  }

  return (
    <section class="admin">
      <h1>Users</h1>
      <form class="filters" onSubmit={submit} aria-label="Users filter" key={role}>
        <Field id="u-role" label="Role" error={byField.role}>
          {(a) => (
            <select {...a} name="role">
              <option value="">Every role</option>
              {ROLES.map((r) => (
                <option value={r} key={r} selected={role === r}>
                  {label(r)}s
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="filters-submit">
          <button class="button" type="submit">
            Show
          </button>
        </div>
      </form>
      {p.first.state === 'loading' && <Loading what="accounts" />}
      {p.first.state === 'error' && <ErrorMessage error={p.first.error} retry={p.retry} />}
      {p.first.state === 'done' && p.items.length === 0 && !p.next && (
        <Empty>
          <p>No {role ? `${role} ` : ''}accounts.</p>
        </Empty>
      )}
      {p.items.length > 0 && (
        <ul class="rows">
          {p.items.map((u) => (
            <UserRow key={u.id} u={u} self={u.id === session?.user.id} onChange={p.replace} />
          ))}
        </ul>
      )}
      <MoreButton p={p} what="accounts" />
    </section>
  );
}

function UserRow({ u, self, onChange }: { u: AdminUser; self: boolean; onChange: (u: AdminUser) => void }) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState('');
  // The button pressed goes away (Deactivate becomes the question, the question
  // becomes Reactivate): focus moves to what replaced it, not to the page's start.
  const keep = useRef<HTMLButtonElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);
  useLayoutEffect(() => {
    if (!moved.current) return;
    (confirming ? keep.current : toggle.current)?.focus();
  }, [confirming, u.active]);

  async function set(active: boolean) {
    setBusy(true);
    setError(null);
    try {
      const updated = await api.request<AdminUser>('PATCH', `/admin/users/${encodeURIComponent(u.id)}`, {
        body: { active }, auth: 'required',
      });
      onChange({ ...u, ...updated });
      setConfirming(false);
      setSaid(active ? `${u.name} can sign in again.` : `${u.name} is deactivated: signed out and unable to sign in.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const nameId = `user-${u.id}`;
  return (
    <li class="card row" data-user={u.email} aria-labelledby={nameId}>
      <div class="row-main">
        <h2 class="row-title" id={nameId}>
          {u.name}
        </h2>
        <p class="muted">
          {u.email} · {label(u.role)} · joined {periodLabel(u.created_at.slice(0, 10))}
        </p>
        <p>
          <span class={`status ${u.active ? 'status-confirmed' : 'status-cancelled'}`}>{u.active ? 'Active' : 'Deactivated'}</span>
          {self && <span class="muted"> (you)</span>}
        </p>
      </div>
      <div class="row-actions">
        {error ? <ErrorMessage error={error} /> : null}
        <p role="status" class="muted">
          {said}
        </p>
        {u.active && !confirming && !self && (
          <button type="button" class="button secondary" ref={toggle}
            onClick={() => {
              moved.current = true;
              setConfirming(true);
            }}
            aria-label={`Deactivate ${u.name}`}>
            Deactivate
          </button>
        )}
        {u.active && confirming && (
          <div class="confirm" role="group" aria-label={`Deactivate ${u.name}?`}>
            <p>Deactivate {u.name}? They are signed out and cannot sign in{u.role === 'photographer' ? ', and leave search' : ''}.</p>
            <div class="actions">
              <button type="button" class="button danger" disabled={busy}
                onClick={() => {
                  moved.current = true;
                  void set(false);
                }}>
                {busy ? 'Deactivating…' : 'Yes, deactivate'}
              </button>
              <button type="button" class="button secondary" ref={keep} disabled={busy} onClick={() => setConfirming(false)}>
                Keep active
              </button>
            </div>
          </div>
        )}
        {!u.active && (
          <button type="button" class="button secondary" ref={toggle} disabled={busy}
            onClick={() => {
              moved.current = true;
              void set(true);
            }}
            aria-label={`Reactivate ${u.name}`}>
            {busy ? 'Reactivating…' : 'Reactivate'}
          </button>
        )}
      </div>
    </li>
  );
}
