import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { altText, keyAction, positionText, type Shot, sources, step, swipeAction, trapFocus } from './lightbox-rules';

interface Props {
  shots: Shot[];
  index: number;
  /** Names the dialog ("Portfolio of Asha Rao"). */
  label: string;
  onIndex: (index: number) => void;
  onClose: () => void;
  /** Controls for the photo shown (a gallery's favourite and download). */
  actions?: (shot: Shot) => ComponentChildren;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * One photo at a time over the page, in a modal `<dialog>` (the page behind is inert).
 * Escape closes, the arrows, Home and End move, a swipe moves on a phone; Tab stays
 * inside, and closing puts focus back on what opened it. The image is chosen by the
 * browser from the sizes the API gives (srcset), for the screen's width.
 */
export function Lightbox({ shots, index, label, onIndex, onClose, actions }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const touch = useRef<{ x: number; y: number } | null>(null);
  const count = shots.length;
  const i = step(index, count, null);
  const shot = shots[i];

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const d = dialog.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    closeButton.current?.focus();
    return () => {
      if (d?.open) d.close();
      // The opener may have gone meanwhile (a list read again): then the page's main.
      if (opener && opener.isConnected) opener.focus();
      else document.getElementById('main')?.focus();
    };
  }, []);

  function act(action: ReturnType<typeof keyAction>): boolean {
    if (!action) return false;
    if (action === 'close') onClose();
    else onIndex(step(i, count, action));
    return true;
  }

  // On the document rather than the dialog, so the keys work wherever focus is while
  // the dialog is open (a click on the photo leaves it on the body).
  useEffect(() => {
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  });

  function onKeyDown(e: KeyboardEvent) {
    const rtl = document.dir === 'rtl';
    if (e.key === 'Tab') {
      const controls = [...(dialog.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const at = controls.indexOf(document.activeElement as HTMLElement);
      const to = trapFocus(at, controls.length, e.shiftKey);
      if (to !== null) {
        e.preventDefault();
        controls[to]?.focus();
      }
      return;
    }
    // Arrows inside a text field move its caret, not the photo.
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA') && e.key !== 'Escape') return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (act(keyAction(e.key, rtl))) e.preventDefault();
  }

  if (!shot) return null;
  const { src, srcset } = sources(shot.urls, shot.width, shot.height);
  const caption = shot.caption?.trim();
  return (
    <dialog
      ref={dialog}
      class="lightbox"
      aria-labelledby="lightbox-title"
      aria-describedby="lightbox-position"
      // The browser's own Escape handling would close the dialog behind Preact's back.
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="lightbox-bar">
        <div>
          <h2 id="lightbox-title">{label}</h2>
          <p id="lightbox-position" aria-live="polite">
            {positionText(i, count)}
          </p>
        </div>
        <button type="button" class="button secondary" ref={closeButton} onClick={onClose}>
          Close <span class="sr-only">the photo viewer</span>
        </button>
      </div>
      <figure
        class="lightbox-figure"
        onTouchStart={(e) => {
          const t = e.touches[0];
          touch.current = t ? { x: t.clientX, y: t.clientY } : null;
        }}
        onTouchEnd={(e) => {
          const start = touch.current;
          const t = e.changedTouches[0];
          touch.current = null;
          if (start && t) act(swipeAction(t.clientX - start.x, t.clientY - start.y, document.dir === 'rtl'));
        }}
      >
        <img
          key={shot.id}
          src={src}
          srcset={srcset || undefined}
          sizes={srcset ? '(min-width: 1000px) 80vw, 100vw' : undefined}
          alt={altText(shot)}
          width={shot.width ?? undefined}
          height={shot.height ?? undefined}
          style={shot.colour ? { backgroundColor: shot.colour } : undefined}
        />
        {caption ? <figcaption>{caption}</figcaption> : <figcaption class="muted">{shot.fallback}</figcaption>}
      </figure>
      <div class="lightbox-nav">
        {/* aria-disabled rather than disabled at the ends: a disabled button drops the
            focus it has to the body. */}
        <button type="button" class="button secondary" aria-disabled={i === 0 ? 'true' : undefined}
          onClick={() => i > 0 && act('previous')}>
          <span aria-hidden="true">←</span> Previous
        </button>
        {actions && <div class="lightbox-actions">{actions(shot)}</div>}
        <button type="button" class="button secondary" aria-disabled={i === count - 1 ? 'true' : undefined}
          onClick={() => i < count - 1 && act('next')}>
          Next <span aria-hidden="true">→</span>
        </button>
      </div>
    </dialog>
  );
}
