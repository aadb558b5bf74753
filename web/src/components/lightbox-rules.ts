// The lightbox's pure logic: the sources a browser chooses from, the keys it answers,
// where focus goes when Tab leaves either end, and what a screen reader hears.

/** A photo as the lightbox shows it, whether from a portfolio or a client gallery. */
export interface Shot {
  id: string;
  /** Display sizes by longest side in pixels (`"400"`, `"1600"`), as the API names them. */
  urls: Record<string, string>;
  width: number | null;
  height: number | null;
  colour?: string | null;
  caption?: string | null;
  /** Said when there is no caption (a gallery photo's file name). */
  fallback: string;
}

export interface Sources {
  src: string;
  /** `url 300w, url 1200w`, or '' when there is a single size. */
  srcset: string;
}

/**
 * The sizes the API gives, as `srcset` width descriptors. The API names each size by
 * its longest side, while `w` is the width: a portrait 1600 px tall is narrower than
 * 1600 px, and a browser told otherwise picks a file too small and blurs it. A size
 * larger than the original is not made larger (the descriptor is the original's
 * width), and two sizes that come out as wide keep the smaller file. `src`, for
 * browsers without srcset, is the largest.
 */
export function sources(urls: Record<string, string>, width: number | null, height: number | null): Sources {
  const sizes = Object.keys(urls)
    .map((k) => ({ longest: Number(k), url: urls[k] as string }))
    .filter((s) => Number.isInteger(s.longest) && s.longest > 0 && s.url)
    .sort((a, b) => a.longest - b.longest);
  if (sizes.length === 0) return { src: '', srcset: '' };
  const known = width !== null && height !== null && width > 0 && height > 0;
  const seen = new Set<number>();
  const parts: string[] = [];
  for (const s of sizes) {
    let w = s.longest;
    if (known) {
      const longest = Math.max(width, height);
      w = Math.round((Math.min(s.longest, longest) * width) / longest);
    }
    if (seen.has(w)) continue;
    seen.add(w);
    parts.push(`${s.url} ${w}w`);
  }
  return { src: (sizes[sizes.length - 1] as { url: string }).url, srcset: parts.length > 1 ? parts.join(', ') : '' };
}

export type KeyAction = 'close' | 'next' | 'previous' | 'first' | 'last' | null;

/** What a key does in the lightbox. Arrows move in reading order, mirrored in a
 * right-to-left page. */
export function keyAction(key: string, rtl = false): KeyAction {
  switch (key) {
    case 'Escape':
    case 'Esc':
      return 'close';
    case 'ArrowRight':
      return rtl ? 'previous' : 'next';
    case 'ArrowLeft':
      return rtl ? 'next' : 'previous';
    case 'Home':
      return 'first';
    case 'End':
      return 'last';
    default:
      return null;
  }
}

/** The index after `action` among `count` photos: no wrapping, so the ends are felt
 * (and said: "Photo 1 of 12"). */
export function step(index: number, count: number, action: KeyAction): number {
  if (count <= 0) return 0;
  const i = Math.min(Math.max(index, 0), count - 1);
  if (action === 'next') return Math.min(i + 1, count - 1);
  if (action === 'previous') return Math.max(i - 1, 0);
  if (action === 'first') return 0;
  if (action === 'last') return count - 1;
  return i;
}

/** Where Tab goes inside the dialog: past the last control to the first, and Shift+Tab
 * before the first to the last. `current` -1 is focus outside the controls (the
 * dialog itself). Null leaves the browser's own order. */
export function trapFocus(current: number, count: number, backwards: boolean): number | null {
  if (count === 0) return null;
  if (current < 0) return backwards ? count - 1 : 0;
  if (backwards && current === 0) return count - 1;
  if (!backwards && current === count - 1) return 0;
  return null;
}

/** The image's alternative text: its caption, or what the photo is called. */
export function altText(shot: Shot): string {
  const caption = shot.caption?.trim();
  return caption || shot.fallback;
}

/** The position, said with every move ("Photo 3 of 12"). */
export function positionText(index: number, count: number): string {
  return `Photo ${index + 1} of ${count}`;
}

/** A finger's move across the photo: a mostly sideways move of 50 px or more turns the
 * page (to the left is the next photo), anything else is a tap or a scroll. */
export function swipeAction(dx: number, dy: number, rtl = false): KeyAction {
  if (Math.abs(dx) < 50 || Math.abs(dx) < Math.abs(dy) * 1.5) return null;
  const forward = dx < 0;
  return forward !== rtl ? 'next' : 'previous';
}
