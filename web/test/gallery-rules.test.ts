import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/problem';
import type { Gallery, GalleryPhoto } from '../src/api/types';
import { readPages } from '../src/components/paging';
import {
  countText, expiryText, favFailed, favSettled, galleryShot, isFavourite, linksExpireAt, linksStale, notDeliveredYet,
  seedFavs, sizeText, toggleFav,
} from '../src/pages/client/gallery-rules';

const NOW = Date.parse('2027-05-01T12:00:00Z');
const DAY = 86_400_000;

function photo(id: string, over: Partial<GalleryPhoto> = {}): GalleryPhoto {
  return {
    id, status: 'ready', filename: `${id}.jpg`, width: 3000, height: 2000, colour: '#334455', bytes: 4_404_019,
    favourite: false, expires_at: new Date(NOW + 90 * DAY).toISOString(),
    links: {
      thumbnail: `https://media/${id}/400.jpg`, preview: `https://media/${id}/1600.jpg`, download: `https://media/${id}/full.jpg`,
      expire_at: new Date(NOW + 15 * 60_000).toISOString(),
    },
    created_at: '2027-04-01T00:00:00Z',
    ...over,
  };
}
const gallery: Gallery = { booking_id: 'b', status: 'delivered', retention_days: 90, delivered_at: '2027-04-02T00:00:00Z', ready_photos: 3 };

describe('favourites, changed at once', () => {
  it('flips at once and settles on the answer', () => {
    let favs = seedFavs({}, [photo('a')]);
    const t = toggleFav(favs, 'a');
    expect(t.want).toBe(true);
    expect(isFavourite(t.favs, photo('a'))).toBe(true);
    favs = favSettled(t.favs, 'a', { favourite: true, updated_at: '2027-05-01T12:00:01Z' });
    expect(favs.a).toMatchObject({ shown: true, confirmed: true, pending: 0 });
  });

  it('puts a refused change back, and says so', () => {
    const t = toggleFav(seedFavs({}, [photo('a', { favourite: true })]), 'a');
    expect(t.want).toBe(false);
    const r = favFailed(t.favs, 'a', t.seq);
    expect(r.rolledBack).toBe(true);
    expect(r.favs.a?.shown).toBe(true);
    expect(r.favs.a?.pending).toBe(0);
  });

  it('does not undo a newer click when an older one fails', () => {
    const one = toggleFav(seedFavs({}, [photo('a')]), 'a'); // on
    const two = toggleFav(one.favs, 'a'); // off again
    const r = favFailed(two.favs, 'a', one.seq);
    expect(r.rolledBack).toBe(false);
    expect(r.favs.a?.shown).toBe(false);
    // The newer one lands: the screen shows what the API made.
    const done = favSettled(r.favs, 'a', { favourite: false, updated_at: '2027-05-01T12:00:02Z' });
    expect(done.a).toMatchObject({ shown: false, confirmed: false, pending: 0 });
  });

  it('shows what the API made last when two answers arrive out of order', () => {
    const one = toggleFav(seedFavs({}, [photo('a')]), 'a'); // on
    const two = toggleFav(one.favs, 'a'); // off
    // The second request was made last (later updated_at) but answered first.
    let favs = favSettled(two.favs, 'a', { favourite: false, updated_at: '2027-05-01T12:00:02Z' });
    expect(favs.a?.shown).toBe(false);
    favs = favSettled(favs, 'a', { favourite: true, updated_at: '2027-05-01T12:00:01Z' });
    expect(favs.a).toMatchObject({ shown: false, confirmed: false, pending: 0 });
  });

  it('falls back to the API’s last word when the newest click fails after an older one landed', () => {
    const one = toggleFav(seedFavs({}, [photo('a')]), 'a'); // on
    const two = toggleFav(one.favs, 'a'); // off
    let favs = favSettled(two.favs, 'a', { favourite: true, updated_at: '2027-05-01T12:00:01Z' });
    expect(favs.a?.shown).toBe(false); // the newer click is still on its way
    const r = favFailed(favs, 'a', two.seq);
    favs = r.favs;
    expect(favs.a).toMatchObject({ shown: true, confirmed: true, pending: 0 });
    expect(r.rolledBack).toBe(true);
  });

  it('keeps a change on its way when the listing is read again', () => {
    const t = toggleFav(seedFavs({}, [photo('a'), photo('b', { favourite: true })]), 'a');
    const favs = seedFavs(t.favs, [photo('a'), photo('b', { favourite: false })]);
    expect(favs.a?.shown).toBe(true);
    expect(favs.b?.shown).toBe(false);
  });
});

describe('links and deletion', () => {
  it('counts the links as gone 30 seconds before the first expires', () => {
    const photos = [photo('a'), photo('b', { links: { ...photo('b').links!, expire_at: new Date(NOW + 60_000).toISOString() } }), photo('c', { links: null })];
    expect(linksExpireAt(photos)).toBe(NOW + 60_000);
    expect(linksStale(photos, NOW + 29_999)).toBe(false);
    expect(linksStale(photos, NOW + 30_000)).toBe(true);
    expect(linksStale([photo('c', { links: null })], NOW + 10 * DAY)).toBe(false);
  });

  it('says when the first photo goes, urgently in the last week', () => {
    const far = expiryText(gallery, [photo('a'), photo('b', { expires_at: new Date(NOW + 40 * DAY).toISOString() })], NOW);
    expect(far?.urgent).toBe(false);
    expect(far?.text).toMatch(/kept 90 days/);
    expect(far?.text).toMatch(/\(in 40 days\)/);
    // Calendar days: five days and a bit later is still "in 5 days".
    expect(expiryText(gallery, [photo('a', { expires_at: new Date(NOW + 5 * DAY + 60_000).toISOString() })], NOW)?.text)
      .toMatch(/\(in 5 days\)/);
    expect(expiryText(gallery, [photo('a', { expires_at: new Date(NOW + 60_000).toISOString() })], NOW)?.text).toMatch(/\(today\)/);
    const soon = expiryText(gallery, [photo('a', { expires_at: new Date(NOW + DAY).toISOString() })], NOW);
    expect(soon).toMatchObject({ urgent: true });
    expect(soon?.text).toMatch(/\(tomorrow\)\. Download what you want to keep before then\./);
    expect(expiryText(gallery, [photo('a', { expires_at: new Date(NOW - 1000).toISOString() })], NOW)?.text).toMatch(/being deleted now/);
    expect(expiryText(gallery, [photo('a', { expires_at: null })], NOW)).toBeNull();
  });

  it('says sizes in KB and MB', () => {
    expect(sizeText(4_404_019)).toBe('4.2 MB');
    expect(sizeText(870_400)).toBe('850 KB');
    expect(sizeText(500)).toBe('500 bytes');
    expect(sizeText(null)).toBe('');
  });
});

describe('the rest', () => {
  it('explains a 404 rather than failing, and fails on anything else', () => {
    const p = { type: 'about:blank', title: 'Not Found', detail: 'no gallery of yours' };
    expect(notDeliveredYet(new ApiError({ ...p, status: 404 }))).toBe(true);
    expect(notDeliveredYet(new ApiError({ ...p, status: 503 }))).toBe(false);
    expect(notDeliveredYet(new Error('x'))).toBe(false);
  });

  it('shows a photo larger only once it has links, in the 400 and 1600 px sizes', () => {
    expect(galleryShot(photo('a', { links: null, status: 'pending' }))).toBeNull();
    expect(galleryShot(photo('a'))?.urls).toEqual({ 400: 'https://media/a/400.jpg', 1600: 'https://media/a/1600.jpg' });
    expect(galleryShot(photo('a'))?.fallback).toBe('a.jpg');
  });

  it('counts what is shown', () => {
    expect(countText(3, false, false, 3)).toBe('3 photos');
    expect(countText(30, false, true, 45)).toBe('30 of 45 photos shown');
    expect(countText(1, true, false, 45)).toBe('1 favourite');
    expect(countText(0, true, false, 45)).toBe('0 favourites');
  });

  it('reads on past empty pages, and as many as were shown when reading again', async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [], next_cursor: 'c1' },
      c1: { items: [1, 2], next_cursor: 'c2' },
      c2: { items: [3, 4], next_cursor: 'c3' },
      c3: { items: [5], next_cursor: null },
    };
    const asked: (string | null)[] = [];
    const load = async (c: string | null) => {
      asked.push(c);
      return pages[c ?? 'start']!;
    };
    expect(await readPages(load, 0)).toMatchObject({ items: [1, 2], cursor: 'c2' });
    expect(asked).toEqual([null, 'c1']);
    expect(await readPages(load, 3)).toMatchObject({ items: [1, 2, 3, 4], cursor: 'c3' });
    expect(await readPages(load, 99, 'c2')).toMatchObject({ items: [3, 4, 5], cursor: null });
    let n = 0;
    const endless = async () => ({ items: [] as number[], next_cursor: `c${++n}` });
    const r = await readPages(endless, 1);
    expect(n).toBe(20);
    expect(r.items).toEqual([]);
  });
});
