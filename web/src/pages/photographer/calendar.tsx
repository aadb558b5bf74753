import type { Booking } from '../../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../../components/ui';
import { label, today, wallClock } from '../../format';
import { navigate } from '../../router';
import { byLocalDate, monthGrid, monthOf, monthRange, monthTitle, shiftMonth } from './calendar-grid';

const DAY_HEADS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The photographer's bookings of a month (`?month=YYYY-MM`, this month by default). */
export function CalendarPage({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const month = monthOf(query.get('month')) ?? today().slice(0, 7);
  const [loaded, retry] = useAsync(async () => {
    const { from, to } = monthRange(month);
    const all: Booking[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.myBookings({ as: 'photographer', from, to, cursor });
      all.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return byLocalDate(all, month);
  }, [month]);
  const go = (m: string) => navigate(`/photographer/calendar?month=${m}`);
  const now = today();

  return (
    <section>
      <h1>Calendar</h1>
      <div class="month-nav">
        <button type="button" class="button secondary small" onClick={() => go(shiftMonth(month, -1))}>
          ← <span class="sr-only">Previous month: </span>{monthTitle(shiftMonth(month, -1))}
        </button>
        <h2 id="cal-title" aria-live="polite">{monthTitle(month)}</h2>
        <button type="button" class="button secondary small" onClick={() => go(shiftMonth(month, 1))}>
          <span class="sr-only">Next month: </span>{monthTitle(shiftMonth(month, 1))} →
        </button>
      </div>
      {loaded.state === 'loading' && <Loading what="your bookings" />}
      {loaded.state === 'error' && <ErrorMessage error={loaded.error} retry={retry} />}
      {loaded.state === 'done' && (
        <>
          {loaded.value.size === 0 && (
            <Empty><p>No bookings in {monthTitle(month)}.</p></Empty>
          )}
          <table class="calendar" aria-labelledby="cal-title">
            <thead>
              <tr>{DAY_HEADS.map((d) => <th key={d} scope="col">{d}</th>)}</tr>
            </thead>
            <tbody>
              {monthGrid(month).map((week) => (
                <tr key={week[0]?.date}>
                  {week.map((day) => {
                    const list = loaded.value.get(day.date) ?? [];
                    return (
                      <td key={day.date} class={`${day.inMonth ? '' : 'other'}${day.date === now ? ' today' : ''}`}>
                        <span class="daynum">
                          {Number(day.date.slice(8))}
                          {day.date === now && <span class="sr-only"> (today)</span>}
                        </span>
                        {list.length > 0 && (
                          <ul>
                            {list.map((b) => (
                              <li key={b.id} class={`cal-booking status-${b.status}`}>
                                <Link href="/photographer/bookings">
                                  {b.local.start.slice(11, 16)} <span class="cal-kind">{label(b.event_type)}</span>
                                  <span class="sr-only">, {b.status}</span>
                                </Link>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.value.size > 0 && (
            <>
              <h2 id="cal-list">Sessions in {monthTitle(month)}</h2>
              <ul class="agenda" aria-labelledby="cal-list">
                {[...loaded.value.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, list]) => list).map((b) => (
                  <li key={b.id}>
                    <strong>{wallClock(b.local.start).label}</strong>–{b.local.end.slice(11, 16)} · {label(b.event_type)} ·{' '}
                    {b.location.city} <span class={`status status-${b.status}`}>{label(b.status)}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="muted">Times are on your own clock. Pending requests are answered under <Link href="/photographer/bookings">Booking requests</Link>.</p>
        </>
      )}
    </section>
  );
}
