// Uploads without the component, shared by the portfolio and a client gallery: which
// files may go, the S3 POST of one file with its progress (XMLHttpRequest: fetch
// reports no upload progress), a batch two files at a time through ticket, S3 and
// processing, the progress of a batch, and the new order of the portfolio after a move.
import type { UploadContentType } from '../../api/photographer';
import { describe, fieldErrors } from '../../api/problem';

/** PortfolioUploadInput and GalleryUploadInput: `size_bytes` at most 25 MiB, and these types (no HEIC). */
export const MAX_UPLOAD_BYTES = 26_214_400;
export const UPLOAD_TYPES: readonly UploadContentType[] = ['image/jpeg', 'image/png', 'image/webp'];

export function checkFile(f: { name: string; type: string; size: number }): string | null {
  if (!UPLOAD_TYPES.includes(f.type as UploadContentType)) {
    return `${f.name}: only JPEG, PNG and WebP photos can be uploaded${f.type ? ` (this is ${f.type})` : ''}.`;
  }
  if (f.size < 1) return `${f.name}: the file is empty.`;
  if (f.size > MAX_UPLOAD_BYTES) return `${f.name}: larger than 25 MB (${(f.size / 1_048_576).toFixed(1)} MB).`;
  return null;
}

export type UploadPhase = 'waiting' | 'asking' | 'uploading' | 'processing' | 'ready' | 'rejected' | 'failed';
export interface UploadState {
  key: string;
  name: string;
  size: number;
  phase: UploadPhase;
  /** Bytes sent so far (the browser's upload progress). */
  loaded: number;
  /** The portfolio item or gallery photo, once the API gave a ticket. */
  itemId?: string;
  message?: string;
}

/** The batch as one figure: bytes sent over bytes to send, counting every file that is
 * past sending as whole and leaving out files refused before they started. */
export function batchProgress(files: readonly UploadState[]): { loaded: number; total: number; percent: number; done: number; count: number } {
  let loaded = 0;
  let total = 0;
  let done = 0;
  let count = 0;
  for (const f of files) {
    if (f.phase === 'failed' && f.loaded === 0) continue;
    count += 1;
    total += f.size;
    const sent = f.phase === 'processing' || f.phase === 'ready' || f.phase === 'rejected';
    loaded += sent ? f.size : Math.min(f.loaded, f.size);
    if (f.phase === 'ready' || f.phase === 'rejected' || f.phase === 'failed') done += 1;
  }
  return { loaded, total, percent: total ? Math.floor((loaded / total) * 100) : 0, done, count };
}

export function filePercent(f: UploadState): number {
  if (f.phase === 'processing' || f.phase === 'ready' || f.phase === 'rejected') return 100;
  return f.size ? Math.floor((Math.min(f.loaded, f.size) / f.size) * 100) : 0;
}

/** What XMLHttpRequest offers that the upload uses (a fake in tests). */
export interface XhrLike {
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  status: number;
  responseText: string;
  open(method: string, url: string): void;
  send(body: FormData): void;
  abort(): void;
}

/**
 * Posts `file` to S3 with the ticket's form: every field of `fields`, then the file as
 * `file` (last, as S3 requires). Resolves on a 2xx; rejects with S3's own message
 * (its XML `<Message>`) otherwise, or when the request never got an answer (CORS or the
 * page's Content-Security-Policy refusing S3's origin look the same from here).
 */
export function postToS3(
  upload: { url: string; fields: Record<string, string> },
  file: Blob,
  onProgress: (loaded: number) => void,
  xhrFactory: () => XhrLike = () => new XMLHttpRequest() as unknown as XhrLike,
  form: FormData = new FormData(),
): { done: Promise<void>; abort: () => void } {
  const xhr = xhrFactory();
  for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
  form.append('file', file);
  const done = new Promise<void>((resolve, reject) => {
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size);
        resolve();
        return;
      }
      const m = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText ?? '');
      reject(new Error(`The photo store refused the file (${xhr.status}${m ? `: ${m[1]}` : ''}).`));
    };
    xhr.onerror = () => reject(new Error('The photo store could not be reached (network, CORS or the page’s security policy).'));
    xhr.onabort = () => reject(new Error('Upload cancelled.'));
  });
  xhr.open('POST', upload.url);
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}

/** What one kind of upload asks of the API; the rest (S3, progress, two files at a
 * time, cleaning up after a failed post) is the same for the portfolio and a gallery. */
export interface UploadSteps {
  /** A ticket for `file`: the new item's id and the S3 form to post the file with. */
  ticket(file: File): Promise<{ id: string; upload: { url: string; fields: Record<string, string> } }>;
  /** The item of a file that never reached S3: removed, so it stops holding quota. */
  discard(id: string): Promise<unknown>;
  /** Once S3 has the file: how processing ended, or that it is still going on. */
  processed(id: string): Promise<Processed>;
}
export type Processed =
  | { phase: 'ready' }
  | { phase: 'rejected'; message: string }
  | { phase: 'processing'; message: string };
export type PatchUpload = (key: string, change: Partial<UploadState>) => void;
type Post = typeof postToS3;

/** A batch as the screen lists it: files the API would refuse (type, size) failed at
 * once with why, the others waiting. `stamp` keeps keys unique across batches. */
export function queueFiles(files: readonly File[], stamp: string): [UploadState, File][] {
  return files.map((f, i) => {
    const problem = checkFile(f);
    return [{
      key: `${stamp}-${i}-${f.name}`, name: f.name, size: f.size, loaded: 0,
      phase: problem ? 'failed' : 'waiting', ...(problem ? { message: problem } : {}),
    }, f];
  });
}

/** One file through its ticket, S3 and processing, each step told through `patch`. */
export async function uploadFile(u: UploadState, file: File, steps: UploadSteps, patch: PatchUpload, post: Post = postToS3): Promise<void> {
  patch(u.key, { phase: 'asking' });
  let ticket: Awaited<ReturnType<UploadSteps['ticket']>>;
  try {
    ticket = await steps.ticket(file);
  } catch (e) {
    // A 422 says which field in `errors` ("filename: …"); its detail alone does not.
    const fields = fieldErrors(e, []).rest;
    patch(u.key, { phase: 'failed', message: fields.length ? `${describe(e)} (${fields.join('; ')})` : describe(e) });
    return;
  }
  patch(u.key, { phase: 'uploading', itemId: ticket.id });
  try {
    await post(ticket.upload, file, (loaded) => patch(u.key, { loaded })).done;
  } catch (e) {
    patch(u.key, { phase: 'failed', message: describe(e) });
    // The item waits for a file that will not come: remove it (and its quota).
    await steps.discard(ticket.id).catch(() => undefined);
    return;
  }
  patch(u.key, { phase: 'processing', loaded: file.size });
  try {
    const end = await steps.processed(ticket.id);
    patch(u.key, end.phase === 'ready' ? { phase: 'ready' } : { phase: end.phase, message: end.message });
  } catch (e) {
    patch(u.key, { message: describe(e) });
  }
}

/** The waiting files of a batch, `workers` at a time: a phone's uplink gains nothing
 * from more, and the progress stays readable. */
export async function uploadAll(
  batch: readonly [UploadState, File][], steps: UploadSteps, patch: PatchUpload, workers = 2, post: Post = postToS3,
): Promise<void> {
  const queue = batch.filter(([s]) => s.phase === 'waiting');
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await uploadFile(next[0], next[1], steps, patch, post);
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}

/** Positions to PATCH after moving the item at `from` to `to`: the new order numbered
 * 1, 2, 3…, and only the items whose position changes (ties by age are made explicit). */
export function reorder<T extends { id: string; position: number }>(items: readonly T[], from: number, to: number): { order: T[]; patches: { id: string; position: number }[] } {
  const order = [...items];
  if (from < 0 || from >= order.length || to < 0 || to >= order.length || from === to) return { order, patches: [] };
  const [moved] = order.splice(from, 1) as [T];
  order.splice(to, 0, moved);
  const patches: { id: string; position: number }[] = [];
  const renumbered = order.map((it, i) => {
    if (it.position !== i + 1) patches.push({ id: it.id, position: i + 1 });
    return { ...it, position: i + 1 };
  });
  return { order: renumbered, patches };
}
