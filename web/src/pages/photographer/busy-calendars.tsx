// "Busy time from your other calendars", on the Hours page: the secret iCal addresses
// of the photographer's Google, Outlook or iCloud calendars, whose events block
// bookings (GET/POST /photographers/me/calendars, DELETE …/{id}, POST …/{id}/sync).
// The address is a credential: sent once when added, never answered back (the list
// has `url_masked`).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describe, fieldErrors } from '../../api/problem';
import type { ExternalCalendar, ExternalCalendarList } from '../../api/types';
import { Empty, ErrorMessage, Field, FormError, Loading, useApp, useAsync } from '../../components/ui';
import { clockTime, countdown, waitText } from '../../format';
import {
  DEFAULT_MAX_CALENDARS, MAX_LABEL_CHARS, addRefusal, agoText, busyText, calendarView, capacity, checkDraft, errorAdvice,
  secondsLeft, sentence, syncWait,
} from './calendars-rules';

/** Milliseconds since the epoch, renewed every `period` ms: each second while a
 * countdown runs, else every half minute for the "… ago" wording. */
function useNow(period: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    setNow(Date.now());
    const t = window.setInterval(() => setNow(Date.now()), period);
    return () => window.clearInterval(t);
  }, [period]);
  return now;
}

export function BusyCalendars() {
  const { api } = useApp();
  const [loaded, retry] = useAsync(() => api.listMyExternalCalendars(), []);
  return (
    <section class="busy-calendars" aria-labelledby="busy-h" id="busy-calendars">
      <h2 id="busy-h" tabIndex={-1}>Busy time from your other calendars</h2>
      <p>
        Add the calendars you already keep (Google, Outlook, iCloud): when one of them says you are busy, clients cannot
        book you then. Clients never see your events, only that those times are not free. They are read every 15 minutes.
      </p>
      {loaded.state === 'loading' && <Loading what="your calendars" />}
      {loaded.state === 'error' && <ErrorMessage error={loaded.error} retry={retry} />}
      {loaded.state === 'done' && <Calendars initial={loaded.value} />}
    </section>
  );
}

interface RowState {
  busy?: 'sync' | 'remove' | null;
  /** No "Sync now" before this (ms): a refused sync's Retry-After. */
  blockedUntil?: number;
  /** Said once when a sync is refused for a while (the button counts down instead). */
  waitNote?: string | null;
  error?: unknown;
  confirming?: boolean;
}

function Calendars({ initial }: { initial: ExternalCalendarList }) {
  const { api } = useApp();
  const [items, setItems] = useState<ExternalCalendar[]>(initial.items);
  const [max, setMax] = useState(initial.max || DEFAULT_MAX_CALENDARS);
  const [rows, setRows] = useState<Record<string, RowState>>({});
  /** What the last action did, in the section's live region; `warn` for a calendar
   * that could not be read. */
  const [note, setNoteState] = useState<{ text: string; warn: boolean } | null>(null);
  const setNote = (text: string, warn = false) => setNoteState({ text, warn });
  const counting = Object.values(rows).some((r) => (r.blockedUntil ?? 0) > Date.now());
  const now = useNow(counting ? 1000 : 30_000);

  const patch = (id: string, p: RowState) => setRows((all) => ({ ...all, [id]: { ...all[id], ...p } }));
  const replace = (c: ExternalCalendar) => setItems((all) => all.map((x) => (x.id === c.id ? c : x)));

  /** The list read again without a loading state: after a refusal that says the list
   * changed elsewhere (another tab, the scheduled sync). A failure keeps what is shown. */
  async function refresh() {
    try {
      const list = await api.listMyExternalCalendars();
      setItems(list.items);
      setMax(list.max || DEFAULT_MAX_CALENDARS);
    } catch {
      // What is shown stays; the next action or a reload reads it again.
    }
  }

  async function sync(c: ExternalCalendar) {
    patch(c.id, { busy: 'sync', error: null, waitNote: null });
    try {
      const after = await api.syncMyExternalCalendar(c.id);
      replace(after);
      patch(c.id, { busy: null });
      if (after.status === 'failing') setNote(`${after.label} could not be read. ${sentence(after.last_error ?? '')}`, true);
      else setNote(`${after.label} is synced: ${busyText(after.busy_intervals)}.`);
    } catch (err) {
      const wait = syncWait(err);
      const why = err instanceof ApiError && err.status === 429
        ? `${c.label} was synced less than a minute ago (once a minute at most).`
        : 'The service is busy.';
      const waitNote = wait === null ? null : `${why} You can sync it again in ${waitText(wait)}.`;
      patch(c.id, {
        busy: null,
        error: wait === null ? err : null,
        blockedUntil: wait === null ? 0 : Date.now() + wait * 1000,
        waitNote,
      });
      // Synced meanwhile by the schedule, or gone: show what is there now.
      if (wait !== null || (err instanceof ApiError && err.status === 404)) void refresh();
    }
  }

  async function remove(c: ExternalCalendar) {
    patch(c.id, { busy: 'remove', error: null });
    try {
      await api.deleteMyExternalCalendar(c.id);
    } catch (err) {
      // Already removed (another tab) is what was asked for.
      if (!(err instanceof ApiError && err.status === 404)) {
        patch(c.id, { busy: null, error: err });
        return;
      }
    }
    setItems((all) => all.filter((x) => x.id !== c.id));
    setRows((all) => Object.fromEntries(Object.entries(all).filter(([id]) => id !== c.id)));
    setNote(`${c.label} is removed: the times it blocked are free again.`);
    // The row and its focused button are gone: keep keyboard users in the section.
    document.getElementById('busy-h')?.focus();
  }

  async function added(c: ExternalCalendar) {
    setItems((all) => [...all.filter((x) => x.id !== c.id), c]);
    setNote(`${c.label} is added. Reading it now…`);
    // The last one allowed: the form and its focused button go, focus stays in the section.
    if (items.filter((x) => x.id !== c.id).length + 1 >= max) window.setTimeout(() => document.getElementById('busy-h')?.focus(), 0);
    // Read at once rather than within 15 minutes: a wrong or reset address shows now,
    // while the photographer still has the calendar's settings open.
    await sync(c);
  }

  const cap = capacity(items.length, max);
  return (
    <>
      <div role="status" class={note ? `alert ${note.warn ? 'alert-warn' : 'alert-ok'}` : 'sr-only'} data-testid="calendars-note">
        {note?.text}
      </div>
      {items.length === 0 ? (
        <Empty>
          <p>No calendars yet. Add one below, and the times it shows you busy stop being offered to clients.</p>
        </Empty>
      ) : (
        <ul class="rows calendars" aria-label="Your calendars">
          {items.map((c) => (
            <CalendarRow
              key={c.id}
              calendar={c}
              state={rows[c.id] ?? {}}
              now={now}
              onSync={() => void sync(c)}
              onAsk={(confirming) => patch(c.id, { confirming, error: null })}
              onRemove={() => void remove(c)}
            />
          ))}
        </ul>
      )}
      <p class="hint" data-testid="calendars-cap">{cap.text}</p>
      {!cap.full && <AddCalendar max={max} onAdded={(c) => void added(c)} onFull={() => void refresh()} />}
    </>
  );
}

function When({ at, now, never }: { at: string | null; now: number; never: string }) {
  if (!at) return <span class="muted">{never}</span>;
  return (
    <>
      <time dateTime={at}>{agoText(at, now)}</time> <span class="muted">({clockTime(at, true)})</span>
    </>
  );
}

interface RowProps {
  calendar: ExternalCalendar;
  state: RowState;
  now: number;
  onSync: () => void;
  onAsk: (confirming: boolean) => void;
  onRemove: () => void;
}

function CalendarRow({ calendar: c, state, now, onSync, onAsk, onRemove }: RowProps) {
  const view = calendarView(c, now);
  const left = secondsLeft(state.blockedUntil ?? 0, now);
  const advice = view.state === 'failing' ? errorAdvice(c.last_error) : null;
  const h = `cal-${c.id}-h`;
  const confirm = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.confirming) confirm.current?.focus();
  }, [state.confirming]);
  return (
    <li class="panel ext-calendar" aria-labelledby={h} data-testid="calendar">
      <h3 class="row-title" id={h}>
        {c.label} <span class={`status status-${view.tone}`} data-testid="calendar-state">{view.label}</span>
      </h3>
      <p>
        <span class="sr-only">Address: </span>
        <code data-testid="calendar-address">{c.url_masked}</code>
      </p>
      <p data-testid="calendar-summary">{view.summary}</p>
      {view.state === 'failing' && c.last_error && (
        <div class="alert alert-error" data-testid="calendar-error">
          <p><strong>Last error:</strong> {sentence(c.last_error)}</p>
          {advice && <p>{advice}</p>}
        </div>
      )}
      <dl class="facts">
        <dt>Last successful sync</dt>
        <dd data-testid="calendar-success"><When at={c.last_success_at} now={now} never="Never" /></dd>
        <dt>Last attempt</dt>
        <dd data-testid="calendar-attempt"><When at={c.last_attempt_at} now={now} never="Not tried yet" /></dd>
        <dt>Busy times kept</dt>
        <dd data-testid="calendar-busy">{c.busy_intervals} <span class="muted">(the next 6 months)</span></dd>
      </dl>
      {/* A live region that is always there, so the wait is read out once when it comes;
          the button counts down silently. */}
      <p role="status" class={state.waitNote && left > 0 ? 'alert alert-warn' : 'sr-only'} data-testid="calendar-wait">
        {left > 0 ? state.waitNote : null}
      </p>
      {state.error !== null && state.error !== undefined && (
        <p class="alert alert-error" role="alert">{describe(state.error)}</p>
      )}
      {state.confirming ? (
        <div class="confirm" role="group" aria-labelledby={`cal-${c.id}-q`} tabIndex={-1} ref={confirm}>
          <p id={`cal-${c.id}-q`}>
            Remove {c.label}? Its busy times stop blocking bookings at once. To add it again you need its secret address.
          </p>
          <div class="actions">
            <button type="button" class="button danger" disabled={state.busy === 'remove'} onClick={onRemove}>
              {state.busy === 'remove' ? 'Removing…' : 'Yes, remove it'}
            </button>
            <button type="button" class="button secondary" onClick={() => onAsk(false)}>Keep it</button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="button" class="button secondary" disabled={state.busy != null || left > 0} onClick={onSync}>
            {state.busy === 'sync' ? 'Syncing…' : left > 0 ? `Sync again in ${countdown(left)}` : 'Sync now'}
            <span class="sr-only"> for {c.label}</span>
          </button>
          <button type="button" class="button secondary" disabled={state.busy != null} onClick={() => onAsk(true)}>
            Remove<span class="sr-only"> {c.label}</span>
          </button>
        </div>
      )}
    </li>
  );
}

function AddCalendar({ max, onAdded, onFull }: { max: number; onAdded: (c: ExternalCalendar) => void; onFull: () => void }) {
  const { api } = useApp();
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const urlInput = useRef<HTMLInputElement>(null);

  const refusal = addRefusal(error, max);
  const server = fieldErrors(error, ['url', 'label']);
  const byField: Record<string, string> = { ...server.byField, ...local };
  if (refusal?.field) byField[refusal.field] = refusal.message;
  // The summary: the problem's detail, or the refusal in the page's words; nothing when
  // the one thing wrong is already said beside its field.
  const summary = refusal?.field ? null : refusal ? new Error(refusal.message) : error;

  async function submit(e: Event) {
    e.preventDefault();
    const checked = checkDraft({ url, label });
    setLocal(checked.errors);
    setError(null);
    if (!checked.body) {
      setError(new ApiError({
        type: 'about:blank', title: 'Check the form', status: 422, detail: 'Some entries need a change: see the messages next to them.',
      }));
      return;
    }
    setBusy(true);
    try {
      const c = await api.addMyExternalCalendar(checked.body);
      setUrl('');
      setLabel('');
      onAdded(c);
    } catch (err) {
      setError(err);
      const r = addRefusal(err, max);
      if (r?.field) window.setTimeout(() => urlInput.current?.focus(), 0);
      // Full from another tab: the list read again shows why, and this form goes.
      if (r && !r.field) onFull();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="cal-add-h" class="add-calendar">
      <h3 id="cal-add-h">Add a calendar</h3>
      <p class="hint">Up to {max} calendars, each address once: say, a personal, a work and a shared one.</p>
      <FormError error={summary} rest={server.rest} />
      <Field
        id="cal-url"
        label="Secret iCal address"
        hint="Starts with https:// (or webcal://). It is a key to your calendar: it is kept for reading your busy times, and never shown again, here or to anyone."
        error={byField.url}
      >
        {(a) => (
          <input
            {...a}
            ref={urlInput}
            type="url"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            maxLength={4096}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        )}
      </Field>
      <details class="where">
        <summary>Where do I find the secret address?</summary>
        <ul>
          <li>
            <strong>Google Calendar</strong> (on a computer): Settings, then your calendar under "Settings for my
            calendars", then "Integrate calendar": copy <em>Secret address in iCal format</em>.
          </li>
          <li>
            <strong>Outlook</strong> (outlook.com or Microsoft 365 on the web): Settings, Calendar, "Shared calendars",
            then under "Publish a calendar" choose the calendar and "Can view when I'm busy", Publish, and copy the
            <em> ICS</em> link.
          </li>
          <li>
            <strong>iCloud</strong>: in the Calendar app, share the calendar as a public calendar and copy its
            webcal:// link.
          </li>
        </ul>
      </details>
      <Field id="cal-label" label="Name (optional)" hint={`For you, e.g. Personal or Studio; at most ${MAX_LABEL_CHARS} characters. Without one, the address's host is used.`} error={byField.label}>
        {(a) => <input {...a} autoComplete="off" value={label} onInput={(e) => setLabel(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button class="button" type="submit" disabled={busy}>{busy ? 'Adding…' : 'Add calendar'}</button>
      </div>
    </form>
  );
}
