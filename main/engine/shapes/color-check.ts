/**
 * A simple check of what color a picture shows (before a trained attribute classifier exists):
 * every pixel goes to the nearest ShapesWorld palette color (the 8 object colors and the 4
 * backgrounds); the object color with the most pixels is the picture's color. On ShapesWorld's
 * own renders this is right whenever the objects cover a few pixels.
 *
 * @example
 *   dominantObjectColor(rgbPixels)   // 'red'
 */
import { BACKGROUNDS, COLORS, rgbDistance, type ColorName } from './attributes.ts';

const OBJECT_COLORS = Object.entries(COLORS).map(([name, spec]) => ({ name: name as ColorName, rgb: spec.rgb }));
const PALETTE = [...OBJECT_COLORS.map((c) => ({ ...c, object: true })), ...Object.values(BACKGROUNDS).map((b) => ({ name: b.word, rgb: b.rgb, object: false }))];

/** RGB pixels (row-major, 3 values each, 0–255) → the object color covering the most of them. */
export function dominantObjectColor(rgb: ArrayLike<number>): ColorName {
  const counts = new Map<string, number>();
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const pixel: [number, number, number] = [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
    let best = PALETTE[0]!;
    let bestDistance = Infinity;
    for (const entry of PALETTE) {
      const d = rgbDistance(pixel, entry.rgb);
      if (d < bestDistance) {
        best = entry;
        bestDistance = d;
      }
    }
    if (best.object) counts.set(best.name, (counts.get(best.name) ?? 0) + 1);
  }
  return ([...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? OBJECT_COLORS[0]!.name) as ColorName;
}
