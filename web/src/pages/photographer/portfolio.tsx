import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../../api/client';
import type {
  OwnPortfolioItem, OwnProfile, PortfolioItem, PortfolioItemPatch, PortfolioUploadInput, UploadContentType, UploadTicket,
} from '../../api/photographer';
import { describe } from '../../api/problem';
import { SPECIALIZATIONS, type Page, type Specialization } from '../../api/types';
import { Empty, ErrorMessage, Field, Link, Loading, useApp, useAsync } from '../../components/ui';
import { label } from '../../format';
import { ownProfile } from './profile';
import { batchProgress, checkFile, filePercent, postToS3, reorder, type UploadState } from './upload';

/** Every published item, in the photographer's order (the API pages by 100 at most). */
async function allItems(api: ApiClient, id: string): Promise<PortfolioItem[]> {
  const items: PortfolioItem[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<PortfolioItem> = await api.request('GET', `/photographers/${encodeURIComponent(id)}/portfolio`, {
      query: { limit: 100, cursor },
    });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function PortfolioPage() {
  const { api } = useApp();
  const [loaded, retry] = useAsync(() => ownProfile(api), []);
  if (loaded.state === 'loading') return <Loading what="your portfolio" />;
  if (loaded.state === 'error') return <ErrorMessage error={loaded.error} retry={retry} />;
  if (!loaded.value) {
    return (
      <section>
        <h1>Your portfolio</h1>
        <Empty>
          <p>Create your profile first: your portfolio is shown on it.</p>
          <p><Link class="button" href="/photographer/profile">Create your profile</Link></p>
        </Empty>
      </section>
    );
  }
  return <Portfolio profile={loaded.value} />;
}

/** How often and how long to look for a processed upload in the public list. */
const POLL_MS = 1500;
const POLL_FOR_MS = 45_000;
const PHASE_TEXT: Record<UploadState['phase'], string> = {
  waiting: 'Waiting', asking: 'Preparing', uploading: 'Uploading', processing: 'Processing', ready: 'Published',
  rejected: 'Refused', failed: 'Failed',
};

function Portfolio({ profile: initial }: { profile: OwnProfile }) {
  const { api } = useApp();
  const [profile, setProfile] = useState(initial);
  const [items, setItems] = useState<PortfolioItem[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [category, setCategory] = useState<Specialization>(initial.specializations[0] ?? 'portrait');
  const [dragging, setDragging] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busyItem, setBusyItem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const alive = useRef(true);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => () => { alive.current = false; }, []);

  async function refresh(): Promise<PortfolioItem[] | null> {
    try {
      const list = await allItems(api, profile.id);
      if (alive.current) {
        setItems(list);
        setLoadError(null);
      }
      return list;
    } catch (e) {
      if (alive.current) setLoadError(e);
      return null;
    }
  }
  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profile.id]);

  const patch = (key: string, change: Partial<UploadState>) => {
    if (alive.current) setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  };

  /** Polls the public list until the item is published; past the time limit, asks the
   * item itself (PATCH `{}` changes nothing and answers its state) whether it was refused. */
  async function awaitProcessed(key: string, itemId: string) {
    const until = Date.now() + POLL_FOR_MS;
    while (alive.current && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const list = await refresh();
      if (list?.some((i) => i.id === itemId)) {
        patch(key, { phase: 'ready' });
        return;
      }
    }
    if (!alive.current) return;
    try {
      const own = await api.request<OwnPortfolioItem>('PATCH', `/photographers/me/portfolio/${encodeURIComponent(itemId)}`, { auth: 'required', body: {} });
      if (own.status === 'rejected') patch(key, { phase: 'rejected', message: own.rejection?.reason ?? 'The photo could not be used.' });
      else if (own.status === 'ready') {
        patch(key, { phase: 'ready' });
        await refresh();
      } else patch(key, { message: 'Still processing: it appears here when it is ready.' });
    } catch (e) {
      patch(key, { message: describe(e) });
    }
  }

  async function uploadOne(u: UploadState, file: File) {
    patch(u.key, { phase: 'asking' });
    let ticket: UploadTicket;
    try {
      const body: PortfolioUploadInput = {
        filename: file.name, content_type: file.type as UploadContentType, size_bytes: file.size, category,
      };
      ticket = await api.request<UploadTicket>('POST', '/photographers/me/portfolio/uploads', { auth: 'required', body });
    } catch (e) {
      patch(u.key, { phase: 'failed', message: describe(e) });
      return;
    }
    patch(u.key, { phase: 'uploading', itemId: ticket.item.id });
    try {
      await postToS3(ticket.upload, file, (loaded) => patch(u.key, { loaded })).done;
    } catch (e) {
      patch(u.key, { phase: 'failed', message: describe(e) });
      // The item waits for a file that will not come: remove it (and its quota).
      await api.request('DELETE', `/photographers/me/portfolio/${encodeURIComponent(ticket.item.id)}`, { auth: 'required' }).catch(() => undefined);
      return;
    }
    patch(u.key, { phase: 'processing', loaded: file.size });
    await awaitProcessed(u.key, ticket.item.id);
  }

  async function addFiles(files: FileList | File[]) {
    const list = Array.from(files);
    if (list.length === 0) return;
    const states: [UploadState, File][] = list.map((f, i) => {
      const problem = checkFile(f);
      return [{
        key: `${Date.now()}-${i}-${f.name}`, name: f.name, size: f.size, loaded: 0,
        phase: problem ? 'failed' : 'waiting', ...(problem ? { message: problem } : {}),
      }, f];
    });
    setUploads((old) => [...old.filter((u) => u.phase !== 'ready'), ...states.map(([s]) => s)]);
    setAnnounce(`${states.length} file${states.length === 1 ? '' : 's'} added.`);
    // Two at a time: a phone's uplink gains nothing from more, and progress stays readable.
    const queue = states.filter(([s]) => s.phase === 'waiting');
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await uploadOne(next[0], next[1]);
    };
    await Promise.all([worker(), worker()]);
    if (alive.current) setAnnounce('Uploads finished.');
  }

  async function act(id: string, run: () => Promise<unknown>) {
    setBusyItem(id);
    setActionError(null);
    try {
      await run();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusyItem(null);
    }
  }

  const move = (index: number, to: number) => act(items?.[index]?.id ?? '', async () => {
    if (!items) return;
    const { order, patches } = reorder(items, index, to);
    setItems(order);
    for (const p of patches) {
      await api.request('PATCH', `/photographers/me/portfolio/${encodeURIComponent(p.id)}`, { auth: 'required', body: { position: p.position } });
    }
    setAnnounce(`Moved to place ${to + 1}.`);
    await refresh();
  });
  const makeCover = (id: string) => act(id, async () => {
    await api.request('PATCH', `/photographers/me/portfolio/${encodeURIComponent(id)}`, { auth: 'required', body: { cover: true } });
    const own = await ownProfile(api);
    if (own) setProfile(own);
    setAnnounce('Cover photo changed.');
  });
  const saveDetails = (id: string, form: HTMLFormElement) => act(id, async () => {
    const data = new FormData(form);
    const body: PortfolioItemPatch = {
      caption: String(data.get('caption') ?? '').trim() || null,
      category: String(data.get('category')) as Specialization,
    };
    await api.request('PATCH', `/photographers/me/portfolio/${encodeURIComponent(id)}`, { auth: 'required', body });
    setEditing(null);
    setAnnounce('Photo details saved.');
    await refresh();
  });
  const remove = (id: string) => act(id, async () => {
    await api.request('DELETE', `/photographers/me/portfolio/${encodeURIComponent(id)}`, { auth: 'required' });
    setConfirming(null);
    setItems((list) => list?.filter((i) => i.id !== id) ?? null);
    setAnnounce('Photo deleted.');
    const own = await ownProfile(api);
    if (own) setProfile(own);
  });

  const batch = batchProgress(uploads);
  const coverId = profile.cover_photo?.item_id;
  return (
    <section>
      <h1>Your portfolio</h1>
      <p class="sr-only" role="status" aria-live="polite">{announce}</p>
      <section aria-labelledby="up-title" class="panel">
        <h2 id="up-title">Add photos</h2>
        <Field id="up-category" label="Category of the new photos">
          {(a) => (
            <select {...a} value={category} onChange={(e) => setCategory(e.currentTarget.value as Specialization)}>
              {profile.specializations.map((s) => <option key={s} value={s}>{label(s)}</option>)}
            </select>
          )}
        </Field>
        <div
          class={`dropzone${dragging ? ' dragging' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            if (e.dataTransfer?.files) void addFiles(e.dataTransfer.files);
          }}
        >
          <p>Drop JPEG, PNG or WebP photos here (25 MB at most each), or</p>
          <label class="button secondary" for="up-files">Choose photos</label>
          <input id="up-files" ref={input} class="visually-hidden-file" type="file" multiple accept="image/jpeg,image/png,image/webp"
            onChange={(e) => {
              const f = e.currentTarget.files;
              if (f) void addFiles(f);
              e.currentTarget.value = '';
            }} />
        </div>
        {uploads.length > 0 && (
          <div class="uploads">
            <p>
              <label for="up-batch">All uploads</label>{' '}
              <progress id="up-batch" max={100} value={batch.percent}>{batch.percent} %</progress>{' '}
              <span class="muted">{batch.done} of {batch.count} done</span>
            </p>
            <ul class="upload-list">
              {uploads.map((u) => (
                <li key={u.key} data-phase={u.phase}>
                  <span class="upload-name">{u.name}</span>
                  <progress max={100} value={filePercent(u)} aria-label={`${u.name}: ${PHASE_TEXT[u.phase]}`} />
                  <span class={`status status-${u.phase}`}>{PHASE_TEXT[u.phase]}{u.phase === 'uploading' ? ` ${filePercent(u)} %` : ''}</span>
                  {u.message && <p class={u.phase === 'failed' || u.phase === 'rejected' ? 'field-error' : 'muted'}>{u.message}</p>}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <h2>Published photos</h2>
      {actionError !== null && <ErrorMessage error={actionError} />}
      {loadError !== null && <ErrorMessage error={loadError} retry={() => void refresh()} />}
      {items === null && loadError === null && <Loading what="your photos" />}
      {items?.length === 0 && (
        <Empty><p>No photos published yet. Add your best work above: the first photos clients see sell your sessions.</p></Empty>
      )}
      {items && items.length > 0 && (
        <ol class="gallery">
          {items.map((it, i) => (
            <li key={it.id} class={it.id === coverId ? 'is-cover' : ''}>
              <img src={it.urls['400'] ?? Object.values(it.urls)[0]} alt={it.caption || `${label(it.category)} photo ${i + 1}`}
                width={it.width} height={it.height} style={{ backgroundColor: it.colour }} loading="lazy" />
              <p>
                <span class="muted">{i + 1}. {label(it.category)}</span>
                {it.id === coverId && <span class="badge"> Cover</span>}
              </p>
              {it.caption && editing !== it.id && <p>{it.caption}</p>}
              {editing === it.id && (
                <form class="item-edit" aria-label={`Details of photo ${i + 1}`} onSubmit={(e) => {
                  e.preventDefault();
                  void saveDetails(it.id, e.currentTarget);
                }}>
                  <Field id={`cap-${it.id}`} label="Caption" hint="At most 300 characters.">
                    {(a) => <input {...a} name="caption" maxLength={300} defaultValue={it.caption ?? ''} />}
                  </Field>
                  <Field id={`cat-${it.id}`} label="Category">
                    {(a) => (
                      // Uncontrolled: the polling of uploads re-renders the page while this is typed in.
                      <select {...a} name="category">
                        {SPECIALIZATIONS.map((c) => <option key={c} value={c} selected={c === it.category}>{label(c)}</option>)}
                      </select>
                    )}
                  </Field>
                  <div class="actions">
                    <button class="button small" type="submit" disabled={busyItem !== null}>Save details</button>
                    <button class="button secondary small" type="button" onClick={() => setEditing(null)}>Cancel</button>
                  </div>
                </form>
              )}
              <div class="actions">
                <button type="button" class="button secondary small" disabled={i === 0 || busyItem !== null}
                  onClick={() => move(i, i - 1)}><span aria-hidden="true">↑ </span>Earlier<span class="sr-only"> photo {i + 1}</span></button>
                <button type="button" class="button secondary small" disabled={i === items.length - 1 || busyItem !== null}
                  onClick={() => move(i, i + 1)}><span aria-hidden="true">↓ </span>Later<span class="sr-only"> photo {i + 1}</span></button>
                {it.id !== coverId && (
                  <button type="button" class="button secondary small" disabled={busyItem !== null}
                    onClick={() => makeCover(it.id)}>Make cover<span class="sr-only"> photo {i + 1}</span></button>
                )}
                {editing !== it.id && (
                  <button type="button" class="button secondary small" disabled={busyItem !== null}
                    onClick={() => setEditing(it.id)}>Edit<span class="sr-only"> photo {i + 1}</span></button>
                )}
                {confirming === it.id ? (
                  <>
                    <button type="button" class="button danger small" disabled={busyItem !== null} onClick={() => remove(it.id)}>
                      Delete photo {i + 1} for good
                    </button>
                    <button type="button" class="button secondary small" onClick={() => setConfirming(null)}>Keep it</button>
                  </>
                ) : (
                  <button type="button" class="button secondary small" disabled={busyItem !== null}
                    onClick={() => setConfirming(it.id)}>Delete<span class="sr-only"> photo {i + 1}</span></button>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
