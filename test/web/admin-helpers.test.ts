import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heat } from '../../web/src/admin/analytics/heat.ts';
import { parseTags, slugify } from '../../web/src/admin/content/content-types.ts';

/** WCAG 2 relative luminance of an sRGB colour given as 0–1 channels. */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

function parseColour(css: string): number[] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return hex.slice(1).map((h) => Number.parseInt(h, 16) / 255);
  const hsl = /^hsl\(([\d.]+) ([\d.]+)% ([\d.]+)%\)$/.exec(css);
  assert.ok(hsl, `unexpected colour ${css}`);
  const [h, s, l] = [Number(hsl[1]), Number(hsl[2]) / 100, Number(hsl[3]) / 100];
  // CSS Color 4's hsl-to-rgb.
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  return [f(0), f(8), f(4)];
}

const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(parseColour(a)), luminance(parseColour(b))].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
};

describe('admin panel helpers', () => {
  test('every retention heat-map shade keeps its number at AA contrast (4.5:1)', () => {
    for (let percent = 0; percent <= 100; percent++) {
      const { background, color } = heat(percent / 100);
      const ratio = contrast(background, color);
      assert.ok(ratio >= 4.5, `${percent}%: ${color} on ${background} is ${ratio.toFixed(2)}:1`);
    }
    // Darker as the rate rises, so the map still reads as a map.
    const light = (rate: number) => luminance(parseColour(heat(rate).background));
    assert.ok(light(0) > light(0.3) && light(0.3) > light(0.6) && light(0.6) > light(1));
  });

  test('slugs and tags come out in the shape the content API accepts', () => {
    const pattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
    for (const title of ['Ten minutes a day', '  Crème brûlée & you!  ', 'Über--Liebe', 'a'.repeat(300)]) {
      const slug = slugify(title);
      assert.match(slug, pattern, title);
      assert.ok(slug.length <= 120);
    }
    assert.equal(slugify('Ten minutes a day'), 'ten-minutes-a-day');
    assert.equal(slugify('Crème brûlée & you!'), 'creme-brulee-you');
    assert.deepEqual(parseTags('Habits, time together, habits,, '), ['habits', 'time-together']);
  });
});
