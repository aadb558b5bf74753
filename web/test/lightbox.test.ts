import { describe, expect, it } from 'vitest';
import { altText, keyAction, positionText, sources, step, swipeAction, trapFocus } from '../src/components/lightbox-rules';
import { portfolioShot } from '../src/pages/photographer';

const urls = { 400: 'https://cdn/x/400.jpg', 1600: 'https://cdn/x/1600.jpg' };

describe('the sizes a browser chooses from (srcset)', () => {
  it('gives a landscape photo its sizes as widths, the largest as src', () => {
    expect(sources(urls, 4000, 3000)).toEqual({
      src: 'https://cdn/x/1600.jpg', srcset: 'https://cdn/x/400.jpg 400w, https://cdn/x/1600.jpg 1600w',
    });
  });

  it('gives a portrait the widths of its sizes, not their longest sides', () => {
    // 1600 px tall at 2:3 is 1067 px wide: saying 1600w would make a browser pick the
    // 400 px file for a 500 px slot on a 2x screen.
    expect(sources(urls, 2000, 3000).srcset).toBe('https://cdn/x/400.jpg 267w, https://cdn/x/1600.jpg 1067w');
  });

  it('never says a size is wider than the original, and keeps one file per width', () => {
    expect(sources(urls, 300, 200)).toEqual({ src: 'https://cdn/x/1600.jpg', srcset: '' });
    expect(sources(urls, 1000, 500).srcset).toBe('https://cdn/x/400.jpg 400w, https://cdn/x/1600.jpg 1000w');
  });

  it('orders sizes by number whatever order the object has, and skips names that are not sizes', () => {
    const s = sources({ 1600: 'b', large: 'z', 400: 'a', 0: 'y' }, null, null);
    expect(s).toEqual({ src: 'b', srcset: 'a 400w, b 1600w' });
    expect(sources({}, 10, 10)).toEqual({ src: '', srcset: '' });
  });
});

describe('keys, swipes and focus', () => {
  it('maps Escape, the arrows, Home and End, mirrored right to left', () => {
    expect(keyAction('Escape')).toBe('close');
    expect(keyAction('ArrowRight')).toBe('next');
    expect(keyAction('ArrowLeft')).toBe('previous');
    expect(keyAction('ArrowRight', true)).toBe('previous');
    expect(keyAction('Home')).toBe('first');
    expect(keyAction('End')).toBe('last');
    expect(keyAction('Enter')).toBeNull();
  });

  it('moves within the photos without wrapping past either end', () => {
    expect(step(0, 3, 'next')).toBe(1);
    expect(step(2, 3, 'next')).toBe(2);
    expect(step(0, 3, 'previous')).toBe(0);
    expect(step(1, 3, 'last')).toBe(2);
    expect(step(2, 3, 'first')).toBe(0);
    // A list that shrank under an open viewer shows its last photo.
    expect(step(7, 3, null)).toBe(2);
    expect(step(0, 0, 'next')).toBe(0);
  });

  it('turns the page on a sideways swipe only', () => {
    expect(swipeAction(-80, 10)).toBe('next');
    expect(swipeAction(80, 10)).toBe('previous');
    expect(swipeAction(-80, 10, true)).toBe('previous');
    expect(swipeAction(-30, 0)).toBeNull();
    expect(swipeAction(-80, 70)).toBeNull();
  });

  it('keeps Tab inside the dialog, both ways', () => {
    expect(trapFocus(2, 3, false)).toBe(0);
    expect(trapFocus(0, 3, true)).toBe(2);
    expect(trapFocus(1, 3, false)).toBeNull();
    expect(trapFocus(-1, 3, false)).toBe(0);
    expect(trapFocus(-1, 3, true)).toBe(2);
    expect(trapFocus(-1, 0, false)).toBeNull();
  });
});

describe('what is said', () => {
  it('uses the caption, or says what the photo is and whose', () => {
    const item = {
      id: 'i', category: 'real_estate' as const, caption: '  ', position: 1, width: 10, height: 10, colour: '#000000',
      bytes: 1, urls,
    };
    expect(altText(portfolioShot(item, 'Asha Reddy'))).toBe('Real estate photograph by Asha Reddy');
    expect(altText(portfolioShot({ ...item, caption: 'Golden hour at Golconda' }, 'Asha'))).toBe('Golden hour at Golconda');
    expect(positionText(2, 12)).toBe('Photo 3 of 12');
  });
});
