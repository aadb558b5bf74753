// A booking's chat (`/bookings/{id}/chat`) and the list of my chats (`/chats`): one lazy
// chunk. History over HTTP, everything live over the tab's socket (src/realtime/).
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  type AttachmentType, type ChatAttachmentRef, type ChatMessage, type ChatSummary, chatHistory, createAttachment, listChats,
} from '../../api/chat';
import { describe, fieldErrors } from '../../api/problem';
import { getBooking } from '../../api/client-area';
import type { BookingDetail } from '../../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync, useNow } from '../../components/ui';
import { clockTime, label, wallClock } from '../../format';
import { realtimeEnabled } from '../../realtime/hub';
import { useFrames, useRealtime, useRealtimeStatus } from '../../realtime/hooks';
import type { ErrorFrame } from '../../realtime/rules';
import { postToS3 } from '../photographer/upload';
import {
  ATTACHMENT_TYPES, type Outgoing, chatsAfter, checkAttachment, laterId, mergeMessages, newClientId, otherNameIn, problemText, seenAt,
  senderName, settlePending, toMarkRead, typingDue, typingShown, typingUntil,
} from './chat-rules';

const MAX_TEXT = 2000;
const PAGE = 30;

/** A file on its way into the chat: posted to S3, then processed, then sendable. */
interface FileDraft {
  key: string;
  name: string;
  size: number;
  id?: string;
  phase: 'uploading' | 'processing' | 'ready' | 'rejected' | 'failed';
  loaded: number;
  message?: string;
  abort?: () => void;
}

function draftText(d: FileDraft): string {
  switch (d.phase) {
    case 'uploading':
      return `uploading, ${d.size ? Math.floor((Math.min(d.loaded, d.size) / d.size) * 100) : 0} %`;
    case 'processing':
      return 'being checked…';
    case 'ready':
      return 'ready to send';
    default:
      return d.message ?? 'not sent';
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The other person's name: the booking's page gives it ("the client" or "the
 * photographer" when it has none to show). From an older API: the chat list knows it
 * once the chat has a message; a photographer's is public; a client's, before any
 * message, is "the client". */
async function otherName(api: ReturnType<typeof useApp>['api'], b: BookingDetail, me: string): Promise<string> {
  const named = otherNameIn(b, me);
  if (named !== undefined) return named ?? (me === b.client_id ? 'the photographer' : 'the client');
  const page = await listChats(api, null, 100).catch(() => null);
  const found = page?.items.find((c) => c.booking_id === b.id);
  if (found) return found.with.name;
  if (me === b.client_id) return api.photographer(b.photographer_id).then((p) => p.display_name, () => 'the photographer');
  return 'the client';
}

export function ChatScreen({ id }: { id: string }) {
  const { api, session } = useApp();
  const me = session?.user.id ?? '';
  const [loaded, retry] = useAsync(async () => {
    const b = await getBooking(api, id);
    return { booking: b, name: await otherName(api, b, me) };
  }, [id, me]);
  if (loaded.state === 'loading') return <Loading what="the chat" />;
  if (loaded.state === 'error') {
    return (
      <section>
        <h1>Messages</h1>
        <ErrorMessage error={loaded.error} retry={retry} />
      </section>
    );
  }
  const { booking: b, name } = loaded.value;
  const participant = me === b.client_id || me === b.photographer_id;
  const other = me === b.client_id ? b.photographer_id : b.client_id;
  return (
    <section class="chat">
      <p>
        <Link href={`/bookings/${encodeURIComponent(b.id)}`}>← The booking</Link>
        {' · '}
        <Link href="/chats">All messages</Link>
      </p>
      <h1>{participant ? `Messages with ${name}` : 'Messages of a booking'}</h1>
      <p class="muted">
        {label(b.event_type)} · {wallClock(b.local.start).label} ·{' '}
        <span class={`status status-${b.status}`}>{label(b.status)}</span>
      </p>
      <Conversation
        booking={b.id} me={me} other={participant ? other : null} name={name}
        nameOf={(sender) => (participant ? capital(name) : senderName(b, sender))}
      />
    </section>
  );
}

function Conversation({ booking, me, other, name, nameOf }: {
  booking: string; me: string; other: string | null; name: string; nameOf: (sender: string) => string;
}) {
  const { api } = useApp();
  const socket = useRealtime();
  const live = realtimeEnabled();
  const { status, opens } = useRealtimeStatus();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [first, setFirst] = useState<'loading' | 'done' | { error: unknown }>('loading');
  const [older, setOlder] = useState<{ before: string | null; busy: boolean; error: unknown }>({ before: null, busy: false, error: null });
  const [otherMark, setOtherMark] = useState<string | null>(null);
  const [myMark, setMyMark] = useState<string | null>(null);
  const [pending, setPending] = useState<Outgoing[]>([]);
  const [problem, setProblem] = useState<{ frame: ErrorFrame; at: number } | null>(null);
  const [typing, setTyping] = useState<number | null>(null);
  const [heard, setHeard] = useState('');
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const [file, setFile] = useState<FileDraft | null>(null);
  const lastTyping = useRef<number | null>(null);
  const lastMarkSent = useRef<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const now = useNow(1000);
  const writer = other !== null;
  const otherName = name;

  // The newest page, at first and again after every (re)connection: what was said while
  // the socket was down is read here, merged, never shown twice.
  useEffect(() => {
    let gone = false;
    chatHistory(api, booking, null, PAGE).then((h) => {
      if (gone) return;
      const got = h.items.slice().reverse();
      setMessages((m) => mergeMessages(m, got));
      setPending((p) => settlePending(p, got, me));
      if (other) setOtherMark((x) => laterId(x, h.read_upto[other]));
      setMyMark((x) => laterId(x, h.read_upto[me]));
      setOlder((o) => (first === 'done' ? o : { ...o, before: h.next_before ?? null }));
      setFirst('done');
    }, (error) => {
      if (!gone) setFirst((f) => (f === 'done' ? f : { error }));
    });
    return () => { gone = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, booking, opens, round]);

  // (Re)connected: what is still on its way goes again under the same client_id (the
  // server stores it once and answers `duplicate`), and an unanswered mark is resent.
  useEffect(() => {
    if (status !== 'open' || !socket) return;
    lastMarkSent.current = null;
    for (const p of pending) if (p.state === 'pending') socket.send(sendFrame(p));
    // Processing may have ended while the socket was down (its frame lost): let it be
    // sent; the server answers `conflict` with a wait if it is not ready after all.
    setFile((d) => (d && d.phase === 'processing' && opens > 1 ? { ...d, phase: 'ready' } : d));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, opens]);

  useFrames((f) => {
    setTyping((t) => typingUntil(t, f, booking, me, Date.now()));
    if (f.type === 'message' || f.type === 'sent') {
      if (f.message.booking_id !== booking) return;
      setMessages((m) => mergeMessages(m, [f.message]));
      setPending((p) => settlePending(p, [f.message], me));
      if (f.type === 'message' && f.message.sender_id !== me) {
        setHeard(`${capital(otherName)}: ${f.message.text || f.message.attachment?.filename || ''}`);
      }
    } else if (f.type === 'read' && f.booking_id === booking && f.user_id === other) {
      setOtherMark((x) => laterId(x, f.message_id));
    } else if (f.type === 'marked' && f.booking_id === booking) {
      setMyMark((x) => laterId(x, f.message_id));
    } else if (f.type === 'attachment') {
      const a = f.attachment;
      setFile((d) => (d && d.id === a.id && (a.status === 'ready' || a.status === 'rejected')
        ? { ...d, phase: a.status, message: a.rejection ? `refused: ${a.rejection.reason}` : undefined }
        : d));
    } else if (f.type === 'error') {
      // Frames of another chat's message (another tab's) are not this one's to show.
      const mine = f.client_id ? pending.find((p) => p.client_id === f.client_id) : undefined;
      if (f.client_id && !mine) return;
      if (mine?.attachment && f.code === 'conflict' && f.retry_after_secs) {
        // The file is still being processed: the same message goes again after the wait.
        window.setTimeout(() => socket?.send(sendFrame(mine)), f.retry_after_secs * 1000);
        return;
      }
      if (f.client_id) {
        setPending((ps) => ps.map((p) => (p.client_id === f.client_id ? { ...p, state: 'failed', error: f } : p)));
      }
      if (f.action !== 'typing' && f.action !== 'ping') setProblem({ frame: f, at: Date.now() });
    }
  });

  // "X is typing…" ends by itself a few seconds after the last frame.
  useEffect(() => {
    if (typing === null) return undefined;
    const t = window.setTimeout(() => setTyping(null), Math.max(0, typing - Date.now()));
    return () => window.clearTimeout(t);
  }, [typing]);

  // Read receipts: the newest message from the other person is marked read while the
  // chat is on screen (not in a background tab).
  const [visible, setVisible] = useState(typeof document === 'undefined' || document.visibilityState === 'visible');
  useEffect(() => {
    const v = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', v);
    return () => document.removeEventListener('visibilitychange', v);
  }, []);
  useEffect(() => {
    if (!writer || !visible || status !== 'open' || !socket) return;
    const id = toMarkRead(messages, me, laterId(myMark, lastMarkSent.current));
    if (id && socket.send({ action: 'mark_read', booking_id: booking, message_id: id })) lastMarkSent.current = id;
  }, [messages, myMark, visible, status, writer, socket, booking, me]);

  // Keep the newest message in view while the reader is at the bottom.
  useLayoutEffect(() => {
    const el = log.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages, pending, first]);

  function sendFrame(p: Outgoing) {
    return {
      action: 'send_message' as const, booking_id: booking, client_id: p.client_id, text: p.text,
      ...(p.attachment ? { attachment_id: p.attachment.id } : {}),
    };
  }

  function send(p: Outgoing) {
    if (!live) {
      setPending((ps) => ps.map((x) => (x.client_id === p.client_id ? { ...x, state: 'failed', error: undefined } : x)));
      return;
    }
    // Not open (or the socket still loading): it stays pending and goes when the socket
    // opens (the effect above).
    socket?.send(sendFrame(p));
  }

  async function attach(f: File) {
    const key = newClientId(Date.now());
    const problem = checkAttachment(f);
    if (problem) {
      setFile({ key, name: f.name, size: f.size, phase: 'failed', loaded: 0, message: problem });
      return;
    }
    const patch = (change: (d: FileDraft) => Partial<FileDraft>) =>
      setFile((d) => (d && d.key === key ? { ...d, ...change(d) } : d));
    setFile({ key, name: f.name, size: f.size, phase: 'uploading', loaded: 0 });
    try {
      const ticket = await createAttachment(api, booking, { filename: f.name, content_type: f.type as AttachmentType, size_bytes: f.size });
      patch(() => ({ id: ticket.attachment.id }));
      const post = postToS3(ticket.upload, f, (loaded) => patch(() => ({ loaded })));
      patch(() => ({ abort: post.abort }));
      await post.done;
      // Processing may have answered already (its frame came first).
      patch((d) => ({ abort: undefined, loaded: f.size, phase: d.phase === 'uploading' ? 'processing' : d.phase }));
    } catch (e) {
      patch(() => ({ phase: 'failed', abort: undefined, message: [describe(e), ...fieldErrors(e, []).rest].join(' ') }));
    }
  }

  function submit(e?: Event) {
    e?.preventDefault();
    const text = draft.trim();
    if (file && (file.phase === 'uploading' || file.phase === 'processing')) {
      setDraftError(`Wait for ${file.name} to be ready, or remove it.`);
      return;
    }
    const withFile = file?.phase === 'ready' && file.id ? { id: file.id, filename: file.name } : undefined;
    if (!text && !withFile) {
      setDraftError('Write a message first.');
      return;
    }
    if ([...text].length > MAX_TEXT) {
      setDraftError(`A message is at most ${MAX_TEXT} characters.`);
      return;
    }
    setDraftError(null);
    setProblem(null);
    const p: Outgoing = { client_id: newClientId(Date.now()), text, state: 'pending', ...(withFile ? { attachment: withFile } : {}) };
    setPending((ps) => [...ps, p]);
    setDraft('');
    if (withFile) setFile(null);
    stick.current = true;
    send(p);
  }

  function retrySend(p: Outgoing) {
    setProblem(null);
    const again: Outgoing = { client_id: p.client_id, text: p.text, state: 'pending', ...(p.attachment ? { attachment: p.attachment } : {}) };
    setPending((ps) => ps.map((x) => (x.client_id === p.client_id ? again : x)));
    send(again);
  }

  function input(value: string) {
    setDraft(value);
    if (draftError && value.trim()) setDraftError(null);
    const t = Date.now();
    if (value.trim() && socket && typingDue(lastTyping.current, t) && socket.send({ action: 'typing', booking_id: booking })) {
      lastTyping.current = t;
    }
  }

  async function loadOlder() {
    if (!older.before) return;
    const el = log.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    setOlder((o) => ({ ...o, busy: true, error: null }));
    try {
      const h = await chatHistory(api, booking, older.before, PAGE);
      stick.current = false;
      setMessages((m) => mergeMessages(h.items.slice().reverse(), m));
      setOlder({ before: h.next_before ?? null, busy: false, error: null });
      // Keep the messages that were in view where they were.
      requestAnimationFrame(() => { if (el) el.scrollTop = el.scrollHeight - fromBottom; });
    } catch (error) {
      setOlder((o) => ({ ...o, busy: false, error }));
    }
  }

  const seen = other ? seenAt(messages, me, otherMark) : null;
  const showTyping = typingShown(typing, now);
  const waitLeft = problem?.frame.code === 'rate-limited'
    ? Math.ceil((problem.at + (problem.frame.retry_after_secs ?? 10) * 1000 - now) / 1000) : 0;
  const expired = messages.some((m) => m.attachment?.links && Date.parse(m.attachment.links.expire_at) <= now);

  if (first === 'loading') return <Loading what="the messages" />;
  if (first !== 'done') return <ErrorMessage error={first.error} retry={() => { setFirst('loading'); setRound((r) => r + 1); }} />;
  return (
    <>
      <ConnectionNote status={status} live={live} />
      <div
        class="chat-log" ref={log} tabIndex={0} role="region" aria-label={writer ? `Messages with ${otherName}` : 'Messages'}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {older.before && (
          <p class="chat-older">
            <button type="button" class="button secondary small" disabled={older.busy} onClick={loadOlder}>
              {older.busy ? 'Loading…' : 'Older messages'}
            </button>
          </p>
        )}
        {older.error !== null && <ErrorMessage error={older.error} retry={loadOlder} />}
        {expired && (
          <p class="chat-older">
            <button type="button" class="linklike" onClick={() => setRound((r) => r + 1)}>Get fresh links to the files</button>
          </p>
        )}
        {messages.length === 0 && pending.length === 0 ? (
          <Empty>
            <p>No messages yet.{writer ? ` Write to ${otherName} below.` : ''}</p>
          </Empty>
        ) : (
          <ol class="messages">
            {messages.map((m) => {
              const mine = m.sender_id === me;
              return (
                <li key={m.id} class={`msg ${mine ? 'mine' : 'theirs'}`} data-message={m.id}>
                  <p class="msg-meta">
                    <span>{mine ? 'You' : nameOf(m.sender_id)}</span>{' · '}
                    <time dateTime={m.sent_at}>{clockTime(m.sent_at, true)}</time>
                  </p>
                  {m.text && <p class="msg-text">{m.text}</p>}
                  {m.attachment && <Attachment a={m.attachment} now={now} />}
                  {seen === m.id && <p class="msg-state" data-testid="seen">Seen</p>}
                </li>
              );
            })}
            {pending.map((p) => (
              <li key={p.client_id} class={`msg mine ${p.state}`} data-pending={p.client_id}>
                <p class="msg-meta">You</p>
                {p.text && <p class="msg-text">{p.text}</p>}
                {p.attachment && <p class="msg-file">File: {p.attachment.filename}</p>}
                <p class="msg-state">
                  {p.state === 'pending'
                    ? status === 'open' ? 'Sending…' : 'Waiting for the connection…'
                    : <>
                        <strong>Not sent.</strong>{' '}
                        <button type="button" class="linklike" onClick={() => retrySend(p)} disabled={waitLeft > 0}>
                          Retry<span class="sr-only">: {p.text.slice(0, 40) || p.attachment?.filename}</span>
                        </button>
                      </>}
                </p>
              </li>
            ))}
          </ol>
        )}
      </div>
      <p class="typing" aria-live="polite" data-testid="typing">{showTyping ? `${capital(otherName)} is typing…` : ''}</p>
      <p class="sr-only" aria-live="polite">{heard}</p>
      {writer ? (
        <form class="composer" onSubmit={submit} noValidate>
          <label for="chat-text">Message to {otherName}</label>
          <p class="hint" id="chat-hint">Enter sends, Shift+Enter starts a new line.</p>
          <textarea
            id="chat-text" rows={3} value={draft} maxLength={MAX_TEXT}
            aria-describedby={`chat-hint${draftError ? ' chat-text-error' : ''}${problem ? ' chat-problem' : ''}`}
            aria-invalid={draftError ? true : undefined}
            onInput={(e) => input((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
            }}
          />
          {draftError && <p class="field-error" id="chat-text-error">{draftError}</p>}
          {problem && (
            <div class="alert alert-error" role="alert" id="chat-problem" data-testid="chat-problem">
              <p>
                {problemText(problem.frame)}
                {waitLeft > 0 && ` (${waitLeft} s)`}
              </p>
            </div>
          )}
          <div class="chat-attach">
            <label for="chat-file">Attach a photo or PDF <span class="muted">(up to 20 MB)</span></label>
            <input
              id="chat-file" type="file" accept={ATTACHMENT_TYPES.join(',')}
              disabled={file?.phase === 'uploading' || file?.phase === 'processing'}
              onChange={(e) => {
                const input = e.currentTarget as HTMLInputElement;
                const f = input.files?.[0];
                input.value = '';
                if (f) void attach(f);
              }}
            />
            {file && (
              <p class={file.phase === 'failed' || file.phase === 'rejected' ? 'field-error' : 'muted'} role="status" data-testid="chat-file">
                {file.name}: {draftText(file)}{' '}
                <button type="button" class="linklike" onClick={() => { file.abort?.(); setFile(null); }}>
                  Remove<span class="sr-only"> {file.name}</span>
                </button>
              </p>
            )}
          </div>
          <p>
            <button type="submit" class="button" disabled={waitLeft > 0 || !live}>Send</button>
          </p>
        </form>
      ) : (
        <p class="muted">You can read this chat. Only the booking's client and photographer write in it.</p>
      )}
    </>
  );
}

function ConnectionNote({ status, live }: { status: string; live: boolean }) {
  if (!live) {
    return <p class="alert alert-error" role="status">Live messages are not available here: this page shows what was said when it opened, and nothing can be sent.</p>;
  }
  if (status === 'open') return null;
  return (
    <p class="muted connection" role="status">
      {status === 'connecting' ? 'Connecting…' : 'Reconnecting… Messages you write wait and go when the connection is back.'}
    </p>
  );
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function Attachment({ a, now }: { a: ChatAttachmentRef; now: number }) {
  const links = a.links && Date.parse(a.links.expire_at) > now ? a.links : null;
  const kind = a.kind === 'image' ? 'Photo' : 'PDF';
  if (!links) {
    return <p class="msg-file">{kind}: {a.filename} <span class="muted">({size(a.size_bytes)})</span></p>;
  }
  return (
    <div class="msg-file">
      {a.kind === 'image' && links.thumbnail && (
        <a href={links.view} target="_blank" rel="noopener noreferrer">
          <img src={links.thumbnail} alt={a.filename} width={a.width && a.height ? Math.round((400 * a.width) / Math.max(a.width, a.height)) : undefined}
            height={a.width && a.height ? Math.round((400 * a.height) / Math.max(a.width, a.height)) : undefined} loading="lazy" />
        </a>
      )}
      <p>
        <a href={links.view} target="_blank" rel="noopener noreferrer">{kind}: {a.filename}</a>{' '}
        <span class="muted">({size(a.size_bytes)})</span>{' · '}
        <a href={links.download}>Download<span class="sr-only"> {a.filename}</span></a>
      </p>
    </div>
  );
}

/** My chats, latest activity first, each with the other person, the last message and
 * what I have not read; live. */
export function ChatsPage() {
  const { api, session } = useApp();
  const me = session?.user.id ?? '';
  const [round, setRound] = useState(0);
  const { opens } = useRealtimeStatus();
  const [first, retry] = useAsync(() => listChats(api), [round, opens]);
  const [chats, setChats] = useState<ChatSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  useEffect(() => {
    if (first.state !== 'done') return;
    setChats(first.value.items);
    setCursor(first.value.next_cursor);
  }, [first]);
  useFrames((f) => {
    if (!chats) return;
    const next = chatsAfter(chats, f, me);
    if (next.unknown) setRound((r) => r + 1);
    else if (next.chats !== chats) setChats(next.chats);
  });

  async function loadMore() {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    try {
      const page = await listChats(api, cursor);
      setChats((c) => [...(c ?? []), ...page.items.filter((x) => !c?.some((y) => y.booking_id === x.booking_id))]);
      setCursor(page.next_cursor);
      setMore({ busy: false, error: null });
    } catch (error) {
      setMore({ busy: false, error });
    }
  }

  return (
    <section>
      <h1>Messages</h1>
      {chats === null && first.state === 'loading' && <Loading what="your messages" />}
      {chats === null && first.state === 'error' && <ErrorMessage error={first.error} retry={retry} />}
      {chats !== null && chats.length === 0 && (
        <Empty>
          <p>No messages yet. Write from a booking's page: <Link href={session?.user.role === 'photographer' ? '/photographer/bookings' : '/my/bookings'}>
            {session?.user.role === 'photographer' ? 'Booking requests' : 'My bookings'}</Link>.</p>
        </Empty>
      )}
      {chats !== null && chats.length > 0 && (
        <ul class="chats">
          {chats.map((c) => (
            <li key={c.booking_id} class={c.unread > 0 ? 'card chat-item unread' : 'card chat-item'} data-chat={c.booking_id}>
              <p>
                <Link href={`/bookings/${encodeURIComponent(c.booking_id)}/chat`}>
                  <strong>{c.with.name}</strong>
                  {c.unread > 0 && <span class="sr-only">, {c.unread_capped ? '999+' : c.unread} unread</span>}
                </Link>
                {c.unread > 0 && (
                  <span class="count" aria-hidden="true" data-testid="chat-unread">{c.unread_capped ? '999+' : c.unread}</span>
                )}
              </p>
              {c.last_message && (
                <p class="muted chat-preview">
                  {c.last_message.sender_id === me ? 'You: ' : ''}
                  {c.last_message.preview}{' · '}
                  <time dateTime={c.last_message.sent_at}>{clockTime(c.last_message.sent_at, true)}</time>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {more.error !== null && <ErrorMessage error={more.error} retry={loadMore} />}
      {cursor && (
        <p>
          <button type="button" class="button secondary" disabled={more.busy} onClick={loadMore}>More chats</button>
        </p>
      )}
    </section>
  );
}
