import { useState } from 'preact/hooks';
import { FEEDBACK_STATUSES, type Feedback, type FeedbackStatus, type SentimentLabel } from '../../api/admin';
import { fieldErrors } from '../../api/problem';
import type { Page } from '../../api/types';
import { Empty, ErrorMessage, Field, Loading, useApp } from '../../components/ui';
import { clockTime, label } from '../../format';
import { navigate } from '../../router';
import { sortByNegativity } from './chartdata';
import { MoreButton, usePaged } from './paged';

const SENTIMENTS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

/** Feedback to triage, the most negative first, with its topics; each one's status
 * changed in place (PATCH /admin/feedback/{id}). The API lists newest first, so the
 * order is of what is loaded: 100 at a time, and "Show more" re-sorts. */
export function FeedbackTriage({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  // Open feedback is what needs triage; `all` shows every status.
  const status = query.get('status') ?? 'open';
  const sentiment = query.get('sentiment') ?? '';
  const p = usePaged<Feedback>(
    (cursor) =>
      api.request<Page<Feedback>>('GET', '/admin/feedback', {
        query: { status: status === 'all' ? '' : status, sentiment, limit: 100, cursor }, auth: 'required',
      }),
    [status, sentiment],
  );
  const { byField } = fieldErrors(p.first.state === 'error' ? p.first.error : null);
  const items = sortByNegativity(p.items);

  function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    params.set('status', String(form.get('status') ?? 'open'));
    const s = String(form.get('sentiment') ?? '');
    if (s) params.set('sentiment', s);
    navigate(`/admin/feedback?${params.toString()}`);
  }

  return (
    <section class="admin">
      <h1>Feedback</h1>
      <form class="filters" onSubmit={submit} aria-label="Feedback filters" key={`${status}|${sentiment}`}>
        <Field id="fb-status" label="Status" error={byField.status}>
          {(a) => (
            <select {...a} name="status">
              {FEEDBACK_STATUSES.map((s) => (
                <option value={s} key={s} selected={status === s}>
                  {label(s)}
                </option>
              ))}
              <option value="all" selected={status === 'all'}>
                Any status
              </option>
            </select>
          )}
        </Field>
        <Field id="fb-sentiment" label="Sentiment" error={byField.sentiment}>
          {(a) => (
            <select {...a} name="sentiment">
              <option value="">Any</option>
              {SENTIMENTS.map((s) => (
                <option value={s} key={s} selected={sentiment === s}>
                  {label(s)}
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
      <p class="muted">Most negative first; feedback still being analysed comes last.</p>
      {p.first.state === 'loading' && <Loading what="feedback" />}
      {p.first.state === 'error' && <ErrorMessage error={p.first.error} retry={p.retry} />}
      {p.first.state === 'done' && items.length === 0 && !p.next && (
        <Empty>
          <p>No feedback matches these filters.</p>
        </Empty>
      )}
      {items.length > 0 && (
        <ul class="rows">
          {items.map((f) => (
            <FeedbackItem key={f.id} f={f} onChange={p.replace} />
          ))}
        </ul>
      )}
      <MoreButton p={p} what="feedback" />
    </section>
  );
}

function FeedbackItem({ f, onChange }: { f: Feedback; onChange: (f: Feedback) => void }) {
  const { api } = useApp();
  const [next, setNext] = useState<FeedbackStatus>(f.status);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState('');
  const s = f.sentiment;
  const titleId = `fb-${f.id}`;

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaid('');
    try {
      const updated = await api.request<Feedback>('PATCH', `/admin/feedback/${encodeURIComponent(f.id)}`, {
        body: { status: next }, auth: 'required',
      });
      onChange(updated);
      setSaid(`Marked ${label(updated.status).toLowerCase()}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class="card row feedback" data-feedback={f.id} aria-labelledby={titleId}>
      <div class="row-main">
        <h2 class="row-title" id={titleId}>
          {f.subject}
        </h2>
        <p>
          {s ? (
            <span class={`sentiment sentiment-${s.label}`}>
              {label(s.label)} {s.score > 0 ? '+' : ''}
              {s.score.toFixed(2)}
            </span>
          ) : (
            <span class="sentiment">Being analysed</span>
          )}{' '}
          <span class={`status status-fb-${f.status}`}>{label(f.status)}</span>
        </p>
        <p class="muted">
          {label(f.category)} · from a {f.user_role} · {clockTime(f.created_at, true)}
        </p>
        <p class="message">{f.message}</p>
        {s && s.topics.length > 0 && (
          <ul class="topics" aria-label="Topics">
            {s.topics.map((t) => (
              <li key={t.topic} class={`topic sentiment-${t.label}`}>
                {label(t.topic)}: {t.label}
              </li>
            ))}
          </ul>
        )}
        {s && s.key_phrases.length > 0 && <p class="muted">Key phrases: {s.key_phrases.join(', ')}</p>}
      </div>
      <form class="row-actions triage" onSubmit={save} aria-label={`Triage: ${f.subject}`}>
        <Field id={`st-${f.id}`} label="Status">
          {(a) => (
            <select {...a} value={next} onChange={(e) => setNext((e.currentTarget as HTMLSelectElement).value as FeedbackStatus)}>
              {FEEDBACK_STATUSES.map((st) => (
                <option value={st} key={st}>
                  {label(st)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" class="button secondary" disabled={busy || next === f.status}>
          {busy ? 'Saving…' : 'Save status'}
        </button>
        <p role="status" class="muted">
          {said}
        </p>
        {error ? <ErrorMessage error={error} /> : null}
      </form>
    </li>
  );
}
