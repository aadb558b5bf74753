// Portfolio uploads without the component: which files may go, the S3 POST of one file
// with its progress (XMLHttpRequest: fetch reports no upload progress), the progress
// of a batch, and the new order of the portfolio after a move.
import type { UploadContentType } from '../../api/photographer';

/** PortfolioUploadInput: `size_bytes` at most 25 MiB, and these types (no HEIC). */
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
  /** The portfolio item, once the API gave a ticket. */
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
