import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../../api/client';
import type {
  OwnPortfolioItem, OwnProfile, PortfolioItem, PortfolioItemPatch, PortfolioUploadInput, UploadContentType, UploadTicket,
} from '../../api/photographer';
import { SPECIALIZATIONS, type Page, type Specialization } from '../../api/types';
import { Empty, ErrorMessage, Field, Link, Loading, useApp, useAsync } from '../../components/ui';
import { label } from '../../format';
import { ownProfile } from './profile';
import { type Processed, queueFiles, reorder, type UploadState, type UploadSteps, uploadAll } from './upload';
import { DropZone, UploadList } from './uploader';

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

function Portfolio({ profile: initial }: { profile: OwnProfile }) {
  const { api } = useApp();
  const [profile, setProfile] = useState(initial);
  const [items, setItems] = useState<PortfolioItem[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [uploads, setUploads] = useState<UploadState[]>([]);
  const [category, setCategory] = useState<Specialization>(initial.specializations[0] ?? 'portrait');
  const [actionError, setActionError] = useState<unknown>(null);
  const [busyItem, setBusyItem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const alive = useRef(true);
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
  async function awaitProcessed(itemId: string): Promise<Processed> {
    const until = Date.now() + POLL_FOR_MS;
    while (alive.current && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const list = await refresh();
      if (list?.some((i) => i.id === itemId)) return { phase: 'ready' };
    }
    if (!alive.current) return { phase: 'processing', message: '' };
    const own = await api.request<OwnPortfolioItem>('PATCH', `/photographers/me/portfolio/${encodeURIComponent(itemId)}`, { auth: 'required', body: {} });
    if (own.status === 'rejected') return { phase: 'rejected', message: own.rejection?.reason ?? 'The photo could not be used.' };
    if (own.status === 'ready') {
      await refresh();
      return { phase: 'ready' };
    }
    return { phase: 'processing', message: 'Still processing: it appears here when it is ready.' };
  }

  const steps: UploadSteps = {
    ticket: async (file) => {
      const body: PortfolioUploadInput = {
        filename: file.name, content_type: file.type as UploadContentType, size_bytes: file.size, category,
      };
      const t = await api.request<UploadTicket>('POST', '/photographers/me/portfolio/uploads', { auth: 'required', body });
      return { id: t.item.id, upload: t.upload };
    },
    discard: (id) => api.request('DELETE', `/photographers/me/portfolio/${encodeURIComponent(id)}`, { auth: 'required' }),
    processed: awaitProcessed,
  };

  async function addFiles(files: File[]) {
    if (files.length === 0) return;
    const batch = queueFiles(files, String(Date.now()));
    setUploads((old) => [...old.filter((u) => u.phase !== 'ready'), ...batch.map(([s]) => s)]);
    setAnnounce(`${batch.length} file${batch.length === 1 ? '' : 's'} added.`);
    await uploadAll(batch, steps, patch);
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
        <DropZone id="up-files" onFiles={(f) => void addFiles(f)} />
        <UploadList id="up-batch" uploads={uploads} readyText="Published" />
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
