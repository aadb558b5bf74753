import { useState } from 'preact/hooks';
import type { Availability, Interval, Weekday, Weekly } from '../../api/photographer';
import type { ApiClient } from '../../api/client';
import { ApiError, fieldErrors } from '../../api/problem';
import { ErrorMessage, Field, FormError, Loading, useApp, useAsync } from '../../components/ui';
import { splitErrors } from './profile-form';
import { dayLabel, today } from '../../format';
import {
  SETTINGS, WEEKDAYS, zoneList, WEEKDAY_NAMES, instantToWall, isDate, isPastDate, nextInterval, overrideDrafts, overridesInput,
  settingsInput, timeOffInput, validateWeekly, type OverrideDraft, type TimeOffDraft,
} from './hours-rules';

async function ownAvailability(api: ApiClient): Promise<Availability | null> {
  try {
    return await api.request<Availability>('GET', '/photographers/me/availability', { auth: 'required' });
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

function zones(...keep: string[]): string[] {
  const all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return zoneList(all, ...keep);
}

type CalendarsModule = typeof import('./busy-calendars');
let calendarsModule: Promise<CalendarsModule> | null = null;
/** The external calendars section is a chunk of its own, fetched when the Hours page
 * first opens (and again after a failed try): the public pages do not carry it. */
function loadCalendars(): Promise<CalendarsModule> {
  calendarsModule ??= import('./busy-calendars').catch((e) => {
    calendarsModule = null;
    throw e;
  });
  return calendarsModule;
}

function LazyCalendars() {
  const [mod, retry] = useAsync(loadCalendars, []);
  if (mod.state === 'loading') return <Loading what="your other calendars" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  return <mod.value.BusyCalendars />;
}

/** The Hours page: working hours and time off, then the busy time read from the
 * photographer's other calendars, which takes away from those hours. Each loads on its
 * own, so one failing leaves the other usable. */
export function HoursEditor() {
  const { api, session } = useApp();
  const [loaded, retry] = useAsync(() => ownAvailability(api), []);
  return (
    <>
      {loaded.state === 'loading' && <Loading what="your hours" />}
      {loaded.state === 'error' && <ErrorMessage error={loaded.error} retry={retry} />}
      {loaded.state === 'done' && <HoursForm initial={loaded.value} zone={session?.user.timezone || 'UTC'} />}
      <LazyCalendars />
    </>
  );
}

const SHOWN = /^(timezone|weekly\.(mon|tue|wed|thu|fri|sat|sun)(\[\d+\](\.(start|end))?)?|time_off(\[\d+\](\.(start|end))?)?|overrides(\[\d+\](\.(date|intervals(\[\d+\](\.(start|end))?)?))?)?)$/;

let seq = 0;
const nextKey = () => `t${++seq}`;

function HoursForm({ initial, zone: defaultZone }: { initial: Availability | null; zone: string }) {
  const { api, flash } = useApp();
  const [exists, setExists] = useState(initial !== null);
  const [zone, setZone] = useState(initial?.timezone ?? defaultZone);
  const [weekly, setWeekly] = useState<Weekly>(initial?.weekly ?? {
    mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], wed: [{ start: '09:00', end: '17:00' }],
    thu: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '17:00' }],
  });
  const [timeOff, setTimeOff] = useState<TimeOffDraft[]>(() => (initial?.time_off ?? []).map((t) => ({
    key: nextKey(), start: instantToWall(t.start, initial?.timezone ?? defaultZone), end: instantToWall(t.end, initial?.timezone ?? defaultZone),
  })));
  const [overrides, setOverrides] = useState<OverrideDraft[]>(() => overrideDrafts(initial?.overrides ?? [], nextKey));
  const [settings, setSettings] = useState<Record<string, string>>(() => Object.fromEntries(SETTINGS.map((s) => {
    const v = initial?.[s.field];
    return [s.field, v === undefined || v === null ? (initial ? '' : defaultSetting(s.field)) : String(v)];
  })));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});

  const all = { ...fieldErrors(error).byField, ...local };
  // Errors go beside the control they name; the rest (a rule of the whole form) to
  // the summary.
  const known = Object.keys(all).filter((k) => SHOWN.test(k) || SETTINGS.some((x) => x.field === k));
  const { byField, rest } = splitErrors(all, known);

  const setDay = (day: Weekday, list: Interval[]) => setWeekly((w) => ({ ...w, [day]: list }));
  const setOverride = (key: string, change: Partial<OverrideDraft>) =>
    setOverrides((list) => list.map((o) => (o.key === key ? { ...o, ...change } : o)));
  const now = today();

  async function submit(e: Event) {
    e.preventDefault();
    const errors = validateWeekly(weekly);
    const off = timeOffInput(timeOff, zone);
    const st = settingsInput(settings);
    const special = overridesInput(overrides);
    const localErrors = { ...errors, ...special.errors, ...off.errors, ...st.errors };
    setLocal(localErrors);
    setError(null);
    if (Object.keys(localErrors).length) {
      setError(new ApiError({ type: 'about:blank', title: 'Check the form', status: 422, detail: 'Some entries need a change: see the messages next to them.' }));
      return;
    }
    setBusy(true);
    try {
      const saved = await api.request<Availability>('PUT', '/photographers/me/availability', {
        auth: 'required',
        body: { timezone: zone, weekly, overrides: special.overrides, time_off: off.ranges, ...st.settings },
      });
      setExists(true);
      setWeekly(saved.weekly);
      setOverrides(overrideDrafts(saved.overrides, nextKey));
      setTimeOff(saved.time_off.map((t) => ({ key: nextKey(), start: instantToWall(t.start, saved.timezone), end: instantToWall(t.end, saved.timezone) })));
      flash('Your hours are saved.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>Your working hours</h1>
      {!exists && <p>Clients see free times only within the hours you set here. Start from a usual week and adjust.</p>}
      <form onSubmit={submit} noValidate aria-label="Working hours">
        <FormError error={error} rest={rest} />
        <Field id="hr-zone" label="Time zone" hint="Hours and time off are on this clock." error={byField.timezone}>
          {(a) => (
            <select {...a} value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
              {zones(zone, defaultZone).map((z) => <option key={z} value={z}>{z}</option>)}
            </select>
          )}
        </Field>

        <h2>Every week</h2>
        <div class="week">
          {WEEKDAYS.map((day) => {
            const list = weekly[day] ?? [];
            const dayError = byField[`weekly.${day}`];
            return (
              <fieldset class="day-edit" key={day}>
                <legend>{WEEKDAY_NAMES[day]}</legend>
                {dayError && <p class="field-error">{dayError}</p>}
                {list.length === 0 && <p class="muted">Closed</p>}
                {list.map((iv, i) => {
                  const at = `weekly.${day}[${i}]`;
                  const rowError = byField[at];
                  return (
                    <div class={`interval${rowError ? ' has-error' : ''}`} key={i}>
                      <Field id={`hr-${day}-${i}-s`} label={`${WEEKDAY_NAMES[day]} from`} hint={i === 0 ? 'HH:MM' : undefined} error={byField[`${at}.start`]}>
                        {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]{2}:[0-9]{2}" value={iv.start}
                          onInput={(e) => setDay(day, list.map((x, j) => (j === i ? { ...x, start: e.currentTarget.value } : x)))} />}
                      </Field>
                      <Field id={`hr-${day}-${i}-e`} label={`${WEEKDAY_NAMES[day]} until`} hint={iv.end === '24:00' ? 'End of the day' : undefined} error={byField[`${at}.end`]}>
                        {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]{2}:[0-9]{2}" value={iv.end}
                          onInput={(e) => setDay(day, list.map((x, j) => (j === i ? { ...x, end: e.currentTarget.value } : x)))} />}
                      </Field>
                      <button type="button" class="button secondary small" onClick={() => setDay(day, list.filter((_, j) => j !== i))}
                        aria-label={`Remove ${WEEKDAY_NAMES[day]} ${iv.start}–${iv.end}`}>
                        Remove
                      </button>
                      {rowError && <p class="field-error" role="note">{rowError}</p>}
                    </div>
                  );
                })}
                <button type="button" class="button secondary small" onClick={() => setDay(day, [...list, nextInterval(list)])}>
                  Add hours on {WEEKDAY_NAMES[day]}
                </button>
              </fieldset>
            );
          })}
        </div>

        <h2>Special dates</h2>
        <p class="hint">A date's own hours instead of the week's (a holiday, a long day), or closed all day.</p>
        {byField.overrides && <p class="field-error">{byField.overrides}</p>}
        {overrides.length === 0 && <p class="muted">No special dates.</p>}
        <ol class="editor-list">
          {overrides.map((o, i) => {
            const at = `overrides[${i}]`;
            const name = isDate(o.date) ? dayLabel(o.date) : `special date ${i + 1}`;
            return (
              <li key={o.key}>
                <fieldset class="day-edit">
                  {/* The legend names the date, so each From and Until is heard with it. */}
                  <legend>
                    Special date {i + 1}{isDate(o.date) ? `: ${dayLabel(o.date)} ${o.date.slice(0, 4)}` : ''}
                    {isPastDate(o.date, now) ? ' (past)' : ''}
                  </legend>
                  <Field id={`ov-${o.key}-date`} label="Date" error={byField[`${at}.date`]}>
                    {(a) => <input {...a} type="date" value={o.date} onInput={(e) => setOverride(o.key, { date: e.currentTarget.value })} />}
                  </Field>
                  <label class="inline">
                    <input type="checkbox" checked={o.closed}
                      onChange={(e) => setOverride(o.key, {
                        closed: e.currentTarget.checked,
                        intervals: !e.currentTarget.checked && o.intervals.length === 0 ? [nextInterval([])] : o.intervals,
                      })} />
                    Closed all day
                  </label>
                  {byField[`${at}.intervals`] && <p class="field-error">{byField[`${at}.intervals`]}</p>}
                  {!o.closed && o.intervals.map((iv, j) => {
                    const ivAt = `${at}.intervals[${j}]`;
                    const rowError = byField[ivAt];
                    const setIv = (change: Partial<Interval>) =>
                      setOverride(o.key, { intervals: o.intervals.map((x, k) => (k === j ? { ...x, ...change } : x)) });
                    return (
                      <div class={`interval${rowError ? ' has-error' : ''}`} key={j}>
                        <Field id={`ov-${o.key}-${j}-s`} label="From" hint={j === 0 ? 'HH:MM' : undefined} error={byField[`${ivAt}.start`]}>
                          {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]{2}:[0-9]{2}" value={iv.start}
                            onInput={(e) => setIv({ start: e.currentTarget.value })} />}
                        </Field>
                        <Field id={`ov-${o.key}-${j}-e`} label="Until" error={byField[`${ivAt}.end`]}>
                          {(a) => <input {...a} type="text" inputMode="numeric" pattern="[0-9]{2}:[0-9]{2}" value={iv.end}
                            onInput={(e) => setIv({ end: e.currentTarget.value })} />}
                        </Field>
                        <button type="button" class="button secondary small" aria-label={`Remove ${name} ${iv.start}–${iv.end}`}
                          onClick={() => setOverride(o.key, { intervals: o.intervals.filter((_, k) => k !== j) })}>
                          Remove
                        </button>
                        {rowError && <p class="field-error" role="note">{rowError}</p>}
                      </div>
                    );
                  })}
                  <div class="actions">
                    {!o.closed && (
                      <button type="button" class="button secondary small"
                        onClick={() => setOverride(o.key, { intervals: [...o.intervals, nextInterval(o.intervals)] })}>
                        Add hours on {name}
                      </button>
                    )}
                    <button type="button" class="button secondary small" onClick={() => setOverrides(overrides.filter((x) => x.key !== o.key))}>
                      Remove special date {i + 1}
                    </button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
        <button type="button" class="button secondary"
          onClick={() => setOverrides([...overrides, { key: nextKey(), date: '', closed: true, intervals: [] }])}>
          Add a special date
        </button>

        <h2>Time off</h2>
        {byField.time_off && <p class="field-error">{byField.time_off}</p>}
        {timeOff.length === 0 && <p class="muted">No time off planned.</p>}
        <ol class="editor-list">
          {timeOff.map((t, i) => (
            <li key={t.key} class="row-inline">
              <Field id={`off-${t.key}-s`} label={`Time off ${i + 1} from`} error={byField[`time_off[${i}].start`]}>
                {(a) => <input {...a} type="datetime-local" value={t.start}
                  onInput={(e) => setTimeOff(timeOff.map((x) => (x.key === t.key ? { ...x, start: e.currentTarget.value } : x)))} />}
              </Field>
              <Field id={`off-${t.key}-e`} label={`Time off ${i + 1} until`} error={byField[`time_off[${i}].end`] ?? byField[`time_off[${i}]`]}>
                {(a) => <input {...a} type="datetime-local" value={t.end}
                  onInput={(e) => setTimeOff(timeOff.map((x) => (x.key === t.key ? { ...x, end: e.currentTarget.value } : x)))} />}
              </Field>
              <button type="button" class="button secondary small" onClick={() => setTimeOff(timeOff.filter((x) => x.key !== t.key))}>
                Remove time off {i + 1}
              </button>
            </li>
          ))}
        </ol>
        <button type="button" class="button secondary" onClick={() => setTimeOff([...timeOff, { key: nextKey(), start: '', end: '' }])}>
          Add time off
        </button>

        <h2>Booking rules</h2>
        <div class="grid2">
          {SETTINGS.map((s) => (
            <Field key={s.field} id={`hr-${s.field}`} label={s.label} hint={s.hint} error={byField[s.field]}>
              {(a) => <input {...a} inputMode="numeric" value={settings[s.field] ?? ''}
                onInput={(e) => setSettings({ ...settings, [s.field]: e.currentTarget.value })} />}
            </Field>
          ))}
        </div>
        <p>
          <button class="button" type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save hours'}</button>
        </p>
      </form>
    </section>
  );
}

/** The API's defaults (AvailabilityInput), shown before the first save. */
function defaultSetting(field: string): string {
  return ({
    buffer_before_minutes: '0', buffer_after_minutes: '0', min_notice_minutes: '1440', max_days_ahead: '365',
    max_bookings_per_day: '', slot_step_minutes: '30', cancellation_window_hours: '48', travel_speed_kmh: '30',
  } as Record<string, string>)[field] ?? '';
}
