/**
 * ShapesWorld attributes: the typed tables every scene, picture and caption is built from.
 * ShapesWorld is the built-in demo domain (ARCHITECTURE.md, Models): procedurally drawn
 * pictures whose attributes are known, so generated images can be checked against them.
 *
 * @example
 *   SHAPES.star.plural   // 'stars'
 *   COLORS.red.rgb       // [220, 40, 40]
 */

/** Shape names, in table order. */
export const SHAPE_NAMES = ['circle', 'square', 'triangle', 'star', 'heart', 'cross'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/** Color names, in table order. */
export const COLOR_NAMES = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'white', 'black'] as const;
export type ColorName = (typeof COLOR_NAMES)[number];

/** Size names, smallest first. */
export const SIZE_NAMES = ['small', 'medium', 'large'] as const;
export type SizeName = (typeof SIZE_NAMES)[number];

/** Background names, in table order. */
export const BACKGROUND_NAMES = ['light gray', 'dark gray', 'beige', 'pink'] as const;
export type BackgroundName = (typeof BACKGROUND_NAMES)[number];

/** How many objects a scene holds. */
export const MIN_COUNT = 1;
export const MAX_COUNT = 3;

/** An 8-bit sRGB color. */
export type Rgb = readonly [r: number, g: number, b: number];

/** One shape: its words and how far it reaches from its center, in units of the size radius. */
export interface ShapeSpec {
  /** Singular noun ("circle"). */
  word: string;
  /** Plural noun ("circles"). */
  plural: string;
  /** Radius of the smallest circle around the shape, about its center, at any rotation (size radius = 1). */
  reach: number;
  /** Largest rotation drawn either way, in degrees (0: the shape is upright). */
  maxRotationDeg: number;
}

/** One color: its word and value. */
export interface ColorSpec {
  word: string;
  rgb: Rgb;
}

/** One size: its word and radius. */
export interface SizeSpec {
  word: string;
  /** Size radius as a fraction of the image side (a circle's radius; other shapes scale with it). */
  radius: number;
}

/** One background: the words captions use and its value. */
export interface BackgroundSpec {
  word: string;
  rgb: Rgb;
}

/** Geometry of each shape lives in render.ts; `reach` must bound it (render.test.ts checks). */
export const SHAPES = {
  circle: { word: 'circle', plural: 'circles', reach: 1, maxRotationDeg: 0 },
  square: { word: 'square', plural: 'squares', reach: 1.14, maxRotationDeg: 15 }, // half side 0.8: 0.8·√2 = 1.13
  triangle: { word: 'triangle', plural: 'triangles', reach: 1.2, maxRotationDeg: 15 }, // circumradius 1.2
  star: { word: 'star', plural: 'stars', reach: 1.2, maxRotationDeg: 20 }, // outer radius 1.2
  heart: { word: 'heart', plural: 'hearts', reach: 1.18, maxRotationDeg: 15 }, // lobes' outer edges
  cross: { word: 'cross', plural: 'crosses', reach: 1.06, maxRotationDeg: 15 }, // arms 1 × 0.34: √(1 + 0.34²)
} as const satisfies Record<ShapeName, ShapeSpec>;

/** Saturated, far-apart colors; white and black give the two extremes. */
export const COLORS = {
  red: { word: 'red', rgb: [220, 40, 40] },
  green: { word: 'green', rgb: [40, 170, 60] },
  blue: { word: 'blue', rgb: [40, 80, 220] },
  yellow: { word: 'yellow', rgb: [245, 215, 40] },
  purple: { word: 'purple', rgb: [140, 60, 190] },
  orange: { word: 'orange', rgb: [245, 135, 25] },
  white: { word: 'white', rgb: [250, 250, 250] },
  black: { word: 'black', rgb: [20, 20, 20] },
} as const satisfies Record<ColorName, ColorSpec>;

export const SIZES = {
  small: { word: 'small', radius: 0.1 },
  medium: { word: 'medium', radius: 0.14 },
  large: { word: 'large', radius: 0.18 },
} as const satisfies Record<SizeName, SizeSpec>;

/** Muted backgrounds, apart from every object color (low-contrast pairs are never drawn: sample.ts). */
export const BACKGROUNDS = {
  'light gray': { word: 'light gray', rgb: [185, 185, 185] },
  'dark gray': { word: 'dark gray', rgb: [70, 70, 70] },
  beige: { word: 'beige', rgb: [225, 210, 170] },
  pink: { word: 'pink', rgb: [240, 185, 200] },
} as const satisfies Record<BackgroundName, BackgroundSpec>;

/** Number words for captions, by count. */
export const COUNT_WORDS = { 1: 'one', 2: 'two', 3: 'three' } as const satisfies Record<number, string>;

/** Euclidean distance between two colors in RGB units. */
export const rgbDistance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** An object color is never drawn on a background closer than this (white on pink, black on dark gray). */
export const MIN_CONTRAST_RGB = 100;

/** The backgrounds a color may be drawn on. */
export const backgroundsFor = (color: ColorName): BackgroundName[] => BACKGROUND_NAMES.filter((bg) => rgbDistance(COLORS[color].rgb, BACKGROUNDS[bg].rgb) >= MIN_CONTRAST_RGB);
