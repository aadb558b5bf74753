import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/problem';
import {
  MAX_UPLOAD_BYTES, batchProgress, checkFile, filePercent, postToS3, queueFiles, reorder, type UploadState, type UploadSteps,
  type XhrLike, uploadAll, uploadFile,
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

describe('a batch through ticket, S3 and processing (portfolio and galleries alike)', () => {
  const jpeg = (name: string, size = 10) => new File([new Uint8Array(size)], name, { type: 'image/jpeg' });
  /** The upload list as the screen keeps it, changed only through `patch`. */
  function screen(batch: [UploadState, File][]) {
    const list = new Map(batch.map(([u]) => [u.key, { ...u }]));
    const phases: Record<string, string[]> = {};
    const patch = (key: string, change: Partial<UploadState>) => {
      list.set(key, { ...list.get(key)!, ...change });
      if (change.phase) (phases[key] ??= []).push(change.phase);
    };
    return { list, phases, patch };
  }
  const post = (outcome: 'ok' | 'fail' = 'ok') => (_u: unknown, file: Blob, progress: (n: number) => void) => {
    progress(Math.floor(file.size / 2));
    return { done: outcome === 'ok' ? Promise.resolve() : Promise.reject(new Error('The photo store refused the file (403).')), abort: () => {} };
  };

  it('queues what the API would take and fails the rest at once, with why', () => {
    const batch = queueFiles([jpeg('a.jpg'), new File(['x'], 'b.heic', { type: 'image/heic' }), jpeg('empty.jpg', 0)], 's1');
    expect(batch.map(([u]) => u.phase)).toEqual(['waiting', 'failed', 'failed']);
    expect(batch[1]![0].message).toMatch(/JPEG, PNG and WebP/);
    expect(batch[2]![0].message).toMatch(/empty/);
    expect(new Set(batch.map(([u]) => u.key)).size).toBe(3);
  });

  it('goes asking, uploading, processing, then what processing said', async () => {
    const batch = queueFiles([jpeg('a.jpg'), jpeg('b.jpg')], 's2');
    const s = screen(batch);
    const steps: UploadSteps = {
      ticket: async (f) => ({ id: `id-${f.name}`, upload: { url: 'http://s3', fields: {} } }),
      discard: async () => { throw new Error('nothing to discard'); },
      processed: async (id) => (id === 'id-a.jpg' ? { phase: 'ready' } : { phase: 'rejected', message: 'Not an image we can read.' }),
    };
    await uploadAll(batch, steps, s.patch, 2, post());
    const [a, b] = batch.map(([u]) => s.list.get(u.key)!);
    expect(s.phases[a!.key]).toEqual(['asking', 'uploading', 'processing', 'ready']);
    expect(a).toMatchObject({ phase: 'ready', itemId: 'id-a.jpg', loaded: 10 });
    expect(b).toMatchObject({ phase: 'rejected', message: 'Not an image we can read.' });
  });

  it('says the API\'s refusal of a ticket, and removes the item of a file S3 refused', async () => {
    const discarded: string[] = [];
    const refusing: UploadSteps = {
      ticket: async () => {
        throw new ApiError({ type: 'x/gallery-quota', title: 'Gallery quota reached', status: 409, detail: 'the gallery already has 1000 photos' });
      },
      discard: async (id) => discarded.push(id),
      processed: async () => ({ phase: 'ready' }),
    };
    const one = queueFiles([jpeg('a.jpg')], 's3');
    const s1 = screen(one);
    await uploadFile(one[0]![0], one[0]![1], refusing, s1.patch, post());
    expect(s1.list.get(one[0]![0].key)).toMatchObject({ phase: 'failed', message: 'the gallery already has 1000 photos' });

    const named: UploadSteps = {
      ...refusing,
      ticket: async () => {
        throw new ApiError({
          type: 'x/validation', title: 'Validation failed', status: 422, detail: 'one or more fields are invalid',
          errors: [{ field: 'filename', message: 'must be 1 to 255 characters' }],
        });
      },
    };
    const long = queueFiles([jpeg('a.jpg')], 's3b');
    const s3 = screen(long);
    await uploadFile(long[0]![0], long[0]![1], named, s3.patch, post());
    expect(s3.list.get(long[0]![0].key)!.message).toBe('one or more fields are invalid (filename: must be 1 to 255 characters)');

    const ok: UploadSteps = { ...refusing, ticket: async () => ({ id: 'p1', upload: { url: 'http://s3', fields: {} } }) };
    const two = queueFiles([jpeg('b.jpg')], 's4');
    const s2 = screen(two);
    await uploadFile(two[0]![0], two[0]![1], ok, s2.patch, post('fail'));
    expect(s2.list.get(two[0]![0].key)).toMatchObject({ phase: 'failed', message: 'The photo store refused the file (403).' });
    expect(discarded).toEqual(['p1']);
  });

  it('keeps no more than `workers` files on their way at once, and leaves refused files alone', async () => {
    const batch = queueFiles([jpeg('1.jpg'), jpeg('2.jpg'), new File(['x'], 'x.gif', { type: 'image/gif' }), jpeg('3.jpg'), jpeg('4.jpg')], 's5');
    const s = screen(batch);
    let active = 0;
    let most = 0;
    const asked: string[] = [];
    const steps: UploadSteps = {
      ticket: async (f) => {
        asked.push(f.name);
        active += 1;
        most = Math.max(most, active);
        return { id: f.name, upload: { url: 'http://s3', fields: {} } };
      },
      discard: async () => undefined,
      processed: async () => {
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        return { phase: 'ready' };
      },
    };
    await uploadAll(batch, steps, s.patch, 2, post());
    expect(most).toBe(2);
    expect(asked.sort()).toEqual(['1.jpg', '2.jpg', '3.jpg', '4.jpg']);
    expect([...s.list.values()].map((u) => u.phase)).toEqual(['ready', 'ready', 'failed', 'ready', 'ready']);
  });
});
