/**
 * ShapesWorld rasteriser: draws a scene as RGB pixels at any size, in pure TypeScript.
 *
 * Each shape is a point-in-shape test in its own frame (size radius 1, y up); a pixel's
 * color is the mean over a supersample grid (4×4 by default), which anti-aliases edges.
 * Objects never overlap (sample.ts keeps their reaches apart), so coverages simply add.
 *
 * @example
 *   const pixels = renderScene(scene, 64);   // Uint8Array [64, 64, 3], row-major RGB
 */
import { BACKGROUNDS, COLORS, SHAPES, SIZES, type ShapeName } from './attributes.ts';
import type { Scene, ShapeObject } from './sample.ts';

/** Rendering options. */
export interface RenderOptions {
  /** Samples per pixel along each axis (4 → 16 samples a pixel). */
  supersample?: number;
}

type Vertex = readonly [u: number, v: number];

/** Even-odd rule: whether (u, v) lies inside the closed polygon. */
function insidePolygon(vertices: readonly Vertex[], u: number, v: number): boolean {
  let inside = false;
  for (let i = 0, j = vertices.length - 1; i < vertices.length; j = i++) {
    const [ui, vi] = vertices[i]!;
    const [uj, vj] = vertices[j]!;
    if (vi > v !== vj > v && u < ((uj - ui) * (v - vi)) / (vj - vi) + ui) inside = !inside;
  }
  return inside;
}

/** A regular polygon or star outline: `points` tips at `outer`, alternating with `inner` when given; first tip straight up. */
function outline(points: number, outer: number, inner?: number): Vertex[] {
  const vertices: Vertex[] = [];
  const steps = inner === undefined ? points : 2 * points;
  for (let k = 0; k < steps; k++) {
    const radius = inner !== undefined && k % 2 === 1 ? inner : outer;
    const angle = Math.PI / 2 + (2 * Math.PI * k) / steps;
    vertices.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
  }
  return vertices;
}

const TRIANGLE = outline(3, 1.2); // equilateral, circumradius 1.2, apex up, centroid at 0
const STAR = outline(5, 1.2, 0.5); // five tips at 1.2, notches at 0.5: fatter than the classic 0.38 so it reads at small sizes
const SQUARE_HALF = 0.8;
const CROSS_ARM = 1;
const CROSS_HALF_WIDTH = 0.34;
/** The heart curve (x² + y² − 1)³ − x²y³ ≤ 0 spans y ∈ [−1, 1.24]; shifted to center it and scaled to reach 1.18. */
const HEART_SCALE = 0.88;
const HEART_SHIFT = 0.12;

/** Point-in-shape tests in the shape's own frame: size radius 1, u right, v up, centered at 0. */
export const INSIDE = {
  circle: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.abs(u) <= SQUARE_HALF && Math.abs(v) <= SQUARE_HALF,
  triangle: (u, v) => insidePolygon(TRIANGLE, u, v),
  star: (u, v) => insidePolygon(STAR, u, v),
  heart: (u, v) => {
    const x = u / HEART_SCALE;
    const y = v / HEART_SCALE + HEART_SHIFT;
    const q = x * x + y * y - 1;
    return q * q * q - x * x * y * y * y <= 0;
  },
  cross: (u, v) => {
    const au = Math.abs(u);
    const av = Math.abs(v);
    return (au <= CROSS_ARM && av <= CROSS_HALF_WIDTH) || (au <= CROSS_HALF_WIDTH && av <= CROSS_ARM);
  },
} as const satisfies Record<ShapeName, (u: number, v: number) => boolean>;

/** Adds one object's coverage (fraction of each pixel's samples inside it) to `coverage`, and its color to `rgb`. */
function drawObject(object: ShapeObject, sizePx: number, supersample: number, rgb: Float32Array, coverage: Float32Array): void {
  const inside = INSIDE[object.shape];
  const radius = SIZES[object.size].radius; // fraction of the side
  const reach = SHAPES[object.shape].reach * radius;
  const turn = (object.rotationDeg * Math.PI) / 180;
  const cos = Math.cos(turn);
  const sin = Math.sin(turn);
  const color = COLORS[object.color].rgb;
  const sampleWeight = 1 / (supersample * supersample);
  // Only pixels that the object's reach touches.
  const x0 = Math.max(0, Math.floor((object.x - reach) * sizePx));
  const x1 = Math.min(sizePx - 1, Math.ceil((object.x + reach) * sizePx));
  const y0 = Math.max(0, Math.floor((object.y - reach) * sizePx));
  const y1 = Math.min(sizePx - 1, Math.ceil((object.y + reach) * sizePx));
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      let hits = 0;
      for (let sy = 0; sy < supersample; sy++) {
        const dy = ((py + (sy + 0.5) / supersample) / sizePx - object.y) / radius;
        for (let sx = 0; sx < supersample; sx++) {
          const dx = ((px + (sx + 0.5) / supersample) / sizePx - object.x) / radius;
          // Picture frame (y down) to the shape's frame (v up), turned back by the object's rotation.
          const u = dx * cos - dy * sin;
          const v = -dx * sin - dy * cos;
          if (inside(u, v)) hits++;
        }
      }
      if (hits === 0) continue;
      const a = hits * sampleWeight;
      const p = py * sizePx + px;
      coverage[p] = coverage[p]! + a;
      rgb[3 * p] = rgb[3 * p]! + a * color[0];
      rgb[3 * p + 1] = rgb[3 * p + 1]! + a * color[1];
      rgb[3 * p + 2] = rgb[3 * p + 2]! + a * color[2];
    }
  }
}

/** Draws a scene as a square RGB picture of side `sizePx`: Uint8Array [H, W, 3], row-major. */
export function renderScene(scene: Scene, sizePx: number, options: RenderOptions = {}): Uint8Array {
  const supersample = options.supersample ?? 4;
  if (!Number.isInteger(sizePx) || sizePx < 1) throw new RangeError(`renderScene: size ${sizePx} is not a positive integer`);
  if (!Number.isInteger(supersample) || supersample < 1) throw new RangeError(`renderScene: supersample ${supersample} is not a positive integer`);
  const pixels = sizePx * sizePx;
  const rgb = new Float32Array(pixels * 3); // [H, W, 3] color summed over covered samples
  const coverage = new Float32Array(pixels); // [H, W] fraction covered by objects
  for (const object of scene.objects) drawObject(object, sizePx, supersample, rgb, coverage);
  const background = BACKGROUNDS[scene.background].rgb;
  const out = new Uint8Array(pixels * 3); // [H, W, 3]
  for (let p = 0; p < pixels; p++) {
    const rest = Math.max(0, 1 - coverage[p]!); // background shows through the uncovered samples
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(Math.min(255, rgb[3 * p + c]! + rest * background[c]!));
  }
  return out;
}
