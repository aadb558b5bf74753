// The notifications badge and list following the socket's frames: pure, and in the
// first chunk with the badge (the socket's own rules.ts is loaded with the socket).
import type { AppNotification } from '../api/types';
import type { ServerFrame } from './rules';

export interface Badge {
  unread: number;
  capped: boolean;
  /** The newest notification the count already includes: a frame for it or an older
   * one was counted by the read that set this badge. */
  newest: string | null;
}

/** The API counts unread notifications up to 99 (then says "99+"). */
export const BADGE_CAP = 99;

/**
 * The badge after a frame: a new unread notification adds one (once, however often it
 * is delivered, and not when the last read already counted it); "read up to" a
 * notification at least as new as every one counted leaves nothing unread. Anything
 * else (ids read, a mark below the newest) cannot be counted here: `refetch` asks the
 * API again.
 */
export function badgeAfter(b: Badge, f: ServerFrame): { badge: Badge; refetch: boolean } {
  if (f.type === 'notification') {
    const n = f.notification;
    if (n.read || (b.newest !== null && n.id <= b.newest)) return { badge: b, refetch: false };
    const unread = b.capped ? b.unread : Math.min(BADGE_CAP, b.unread + 1);
    return { badge: { unread, capped: b.capped || b.unread + 1 >= BADGE_CAP, newest: n.id }, refetch: false };
  }
  if (f.type === 'notifications_read') {
    if (f.up_to && !f.ids?.length && (b.newest === null || f.up_to >= b.newest)) {
      return { badge: { unread: 0, capped: false, newest: b.newest ?? f.up_to }, refetch: false };
    }
    return { badge: b, refetch: true };
  }
  return { badge: b, refetch: false };
}

/** The notification list after a frame: a new one on top (once), and read marks moved. */
export function notificationsAfter(items: readonly AppNotification[], f: ServerFrame): AppNotification[] | null {
  if (f.type === 'notification') {
    if (items.some((n) => n.id === f.notification.id)) return null;
    return [f.notification, ...items].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }
  if (f.type === 'notifications_read') {
    const ids = new Set(f.ids ?? []);
    const read = (n: AppNotification) => ids.has(n.id) || (f.up_to !== undefined && n.id <= f.up_to);
    if (!items.some((n) => !n.read && read(n))) return null;
    return items.map((n) => (!n.read && read(n) ? { ...n, read: true } : n));
  }
  return null;
}
