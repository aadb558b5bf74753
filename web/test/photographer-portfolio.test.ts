import { describe, expect, it } from 'vitest';
import {
  MAX_UPLOAD_BYTES, batchProgress, checkFile, filePercent, postToS3, reorder, type UploadState, type XhrLike,
} from '../src/pages/photographer/upload';

const f = (over: Partial<UploadState>): UploadState => ({ key: 'k', name: 'a.jpg', size: 100, phase: 'waiting', loaded: 0, ...over });

describe('files', () => {
  it('takes JPEG, PNG and WebP up to 25 MiB', () => {
    expect(checkFile({ name: 'a.jpg', type: 'image/jpeg', size: 10 })).toBeNull();
    expect(checkFile({ name: 'a.heic', type: 'image/heic', size: 10 })).toMatch(/JPEG, PNG and WebP/);
    expect(checkFile({ name: 'a.png', type: 'image/png', size: MAX_UPLOAD_BYTES + 1 })).toMatch(/25 MB/);
    expect(checkFile({ name: 'a.png', type: 'image/png', size: MAX_UPLOAD_BYTES })).toBeNull();
    expect(checkFile({ name: 'a.webp', type: 'image/webp', size: 0 })).toMatch(/empty/);
  });
});

describe('progress', () => {
  it('adds up the bytes of a batch, counting sent files as whole and leaving out refused ones', () => {
    const p = batchProgress([
      f({ key: '1', size: 100, phase: 'uploading', loaded: 50 }),
      f({ key: '2', size: 300, phase: 'processing', loaded: 120 }),
      f({ key: '3', size: 100, phase: 'waiting' }),
      f({ key: '4', size: 999, phase: 'failed', loaded: 0 }),
    ]);
    expect(p).toEqual({ loaded: 350, total: 500, percent: 70, done: 0, count: 3 });
    expect(batchProgress([f({ phase: 'ready', loaded: 0 }), f({ phase: 'rejected' })]).percent).toBe(100);
    expect(batchProgress([]).percent).toBe(0);
  });

  it('never shows more than 100 % for one file', () => {
    expect(filePercent(f({ phase: 'uploading', loaded: 150 }))).toBe(100);
    expect(filePercent(f({ phase: 'uploading', loaded: 33 }))).toBe(33);
    expect(filePercent(f({ phase: 'processing', loaded: 0 }))).toBe(100);
  });
});

class FakeXhr implements XhrLike {
  upload: XhrLike['upload'] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = '';
  opened: [string, string] | null = null;
  sent: FormData | null = null;
  open(method: string, url: string) { this.opened = [method, url]; }
  send(body: FormData) { this.sent = body; }
  abort() { this.onabort?.(); }
}

describe('S3 POST', () => {
  const ticket = { url: 'http://127.0.0.1:5000/media', fields: { key: 'incoming/x', 'Content-Type': 'image/jpeg', policy: 'p' } };

  it('sends every field, then the file last, and reports progress', async () => {
    const xhr = new FakeXhr();
    const seen: number[] = [];
    const file = new Blob(['abcdef'], { type: 'image/jpeg' });
    const { done } = postToS3(ticket, file, (n) => seen.push(n), () => xhr);
    expect(xhr.opened).toEqual(['POST', 'http://127.0.0.1:5000/media']);
    expect([...xhr.sent!.keys()]).toEqual(['key', 'Content-Type', 'policy', 'file']);
    xhr.upload.onprogress?.({ loaded: 3, total: 6, lengthComputable: true });
    xhr.status = 204;
    xhr.onload?.();
    await done;
    expect(seen).toEqual([3, 6]);
  });

  it('gives S3 refusal messages and unreachable stores as errors', async () => {
    const refused = new FakeXhr();
    const a = postToS3(ticket, new Blob(['x']), () => {}, () => refused);
    refused.status = 400;
    refused.responseText = '<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>';
    refused.onload?.();
    await expect(a.done).rejects.toThrow(/400: Your proposed upload exceeds/);

    const blocked = new FakeXhr();
    const b = postToS3(ticket, new Blob(['x']), () => {}, () => blocked);
    blocked.onerror?.();
    await expect(b.done).rejects.toThrow(/could not be reached/);

    const cancelled = new FakeXhr();
    const c = postToS3(ticket, new Blob(['x']), () => {}, () => cancelled);
    c.abort();
    await expect(c.done).rejects.toThrow(/cancelled/);
  });
});

describe('reorder', () => {
  const items = [{ id: 'a', position: 1 }, { id: 'b', position: 2 }, { id: 'c', position: 2 }, { id: 'd', position: 7 }];
  it('renumbers and patches only what changes', () => {
    const { order, patches } = reorder(items, 3, 0);
    expect(order.map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
    expect(patches).toEqual([{ id: 'd', position: 1 }, { id: 'a', position: 2 }, { id: 'b', position: 3 }, { id: 'c', position: 4 }]);
    expect(reorder(items, 0, 1).patches).toEqual([{ id: 'b', position: 1 }, { id: 'a', position: 2 }, { id: 'c', position: 3 }, { id: 'd', position: 4 }]);
    expect(reorder([{ id: 'a', position: 1 }, { id: 'b', position: 2 }], 1, 0).patches).toEqual([{ id: 'b', position: 1 }, { id: 'a', position: 2 }]);
  });
  it('does nothing out of range', () => {
    expect(reorder(items, 0, 0).patches).toEqual([]);
    expect(reorder(items, 0, 9).patches).toEqual([]);
  });
});
