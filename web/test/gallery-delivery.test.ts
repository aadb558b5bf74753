import { describe, expect, it } from 'vitest';
import type { Gallery, GalleryPhoto } from '../src/api/types';
import {
  confirmText, counts, deliverCheck, deliveredText, favouritesText, galleryBooking, inFlight, isRetention, needsPolling,
  photoStateText, processedIn, RETENTION_CHOICES, retentionLocked,
} from '../src/pages/photographer/delivery-rules';
import type { UploadState } from '../src/pages/photographer/upload';

function photo(id: string, over: Partial<GalleryPhoto> = {}): GalleryPhoto {
  return {
    id, status: 'ready', filename: `${id}.jpg`, width: 1200, height: 800, colour: '#334455', bytes: 120_000,
    favourite: false, expires_at: '2027-08-01T00:00:00Z', links: null, created_at: '2027-05-01T00:00:00Z', ...over,
  };
}
const open: Gallery = { booking_id: 'b', status: 'open', retention_days: 180, delivered_at: null, ready_photos: 0 };
const upload = (over: Partial<UploadState>): UploadState => ({ key: 'k', name: 'a.jpg', size: 10, loaded: 0, phase: 'waiting', ...over });

describe('which bookings and retentions', () => {
  it('has a gallery for confirmed and completed bookings only', () => {
    expect(galleryBooking('confirmed')).toBe(true);
    expect(galleryBooking('completed')).toBe(true);
    for (const s of ['pending', 'declined', 'cancelled', 'expired'] as const) expect(galleryBooking(s)).toBe(false);
  });

  it('offers the API\'s four retentions', () => {
    expect(RETENTION_CHOICES.map((r) => r.days)).toEqual([30, 90, 180, 365]);
    expect(isRetention(90)).toBe(true);
    expect(isRetention(60)).toBe(false);
  });

  it('locks the retention once a photo is uploaded or on its way, as the API does', () => {
    expect(retentionLocked(null, [], 0)).toBeNull();
    expect(retentionLocked(open, [], 0)).toBeNull();
    expect(retentionLocked(open, [], 1)).toMatch(/kept 180 days/);
    expect(retentionLocked(open, [photo('a', { status: 'rejected' })], 0)).toMatch(/cannot change/);
  });
});

describe('delivering', () => {
  it('needs an open gallery with a ready photo', () => {
    expect(deliverCheck(null, [], 0)).toEqual({ can: false, notes: [expect.stringMatching(/Upload photos first/)] });
    expect(deliverCheck(open, [photo('a', { status: 'pending' })], 0)).toEqual({
      can: false, notes: ['Deliver once at least one photo is ready.'],
    });
    expect(deliverCheck({ ...open, ready_photos: 1 }, [photo('a')], 0)).toEqual({ can: true, notes: [] });
    expect(deliverCheck({ ...open, status: 'delivered', delivered_at: '2027-05-02T10:00:00Z', ready_photos: 1 }, [photo('a')], 0).can).toBe(false);
  });

  it('says what the client will not see yet: photos on their way and refused ones', () => {
    const { can, notes } = deliverCheck({ ...open, ready_photos: 1 }, [photo('a'), photo('b', { status: 'pending' }), photo('c', { status: 'rejected' })], 2);
    expect(can).toBe(true);
    expect(notes).toEqual([
      '3 photos are still on the way: the client sees each once it is ready.',
      '1 refused photo is never shown to the client: remove it or upload it again.',
    ]);
  });

  it('asks with the count, the email, the retention and that it is final', () => {
    const text = confirmText({ ...open, ready_photos: 2 }, [photo('a'), photo('b'), photo('c', { status: 'pending' })]);
    expect(text).toMatch(/^Deliver 2 photos to the client\?/);
    expect(text).toMatch(/email/);
    expect(text).toMatch(/kept 180 days/);
    expect(text).toMatch(/stays delivered/);
    expect(confirmText({ ...open, ready_photos: 1 }, [photo('a')])).toMatch(/^Deliver 1 photo to/);
  });

  it('says when it was delivered and that the client was emailed', () => {
    const at = new Date(2027, 4, 2, 9, 5).toISOString();
    expect(deliveredText({ ...open, status: 'delivered', delivered_at: at })).toMatch(/^Delivered on 2 May 2027 at 09:05\. The client was emailed/);
    expect(deliveredText(open)).toBeNull();
  });
});

describe('photos and favourites', () => {
  it('counts states and the client\'s favourites', () => {
    const list = [photo('a', { favourite: true }), photo('b'), photo('c', { status: 'pending' }), photo('d', { status: 'rejected' })];
    expect(counts(list)).toEqual({ ready: 2, pending: 1, rejected: 1, favourites: 1 });
    expect(favouritesText(open, list)).toMatch(/once the gallery is delivered/);
    const delivered = { ...open, status: 'delivered' as const };
    expect(favouritesText(delivered, list)).toBe('The client marked 1 favourite of 2 ready photos.');
    expect(favouritesText(delivered, [photo('a')])).toBe('The client has not marked any favourites yet.');
    expect(list.map(photoStateText)).toEqual(['Ready', 'Ready', 'Processing', 'Refused']);
  });

  it('ends an upload\'s wait on what the listing says of its photo', () => {
    expect(processedIn([photo('a', { status: 'pending' })], 'a')).toBeNull();
    expect(processedIn([photo('a')], 'a')).toEqual({ phase: 'ready' });
    expect(processedIn([photo('a', { status: 'rejected', rejection: { code: 'corrupt', reason: 'Not a readable image.' } })], 'a'))
      .toEqual({ phase: 'rejected', message: 'Not a readable image.' });
    expect(processedIn([], 'a')).toMatchObject({ phase: 'rejected' });
  });

  it('reads again while anything is processing', () => {
    expect(needsPolling([photo('a')], [])).toBe(false);
    expect(needsPolling([photo('a', { status: 'pending' })], [])).toBe(true);
    expect(needsPolling([], [upload({ phase: 'processing' })])).toBe(true);
  });

  it('counts uploads on their way once, whether or not the listing has their photo yet', () => {
    const uploads = [upload({ key: '1', phase: 'uploading', itemId: 'a' }), upload({ key: '2', phase: 'asking' }),
      upload({ key: '3', phase: 'ready', itemId: 'c' }), upload({ key: '4', phase: 'failed' })];
    expect(inFlight(uploads, [])).toBe(2);
    expect(inFlight(uploads, [photo('a', { status: 'pending' })])).toBe(1);
  });
});
