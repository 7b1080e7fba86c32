/**
 * ShapesWorld attribute accuracy, our analogue of SOA (Semantic Object Accuracy, Hinz et al.
 * 2020, §3): SOA runs a pretrained detector on each generated image and asks whether the
 * objects its caption names were detected. Here the judge is the project's own ShapesWorld
 * classifier (classifier/), and the caption's named attributes are its shape, object
 * color and count. Per image:
 *   shape right  ⇔ the asked shape is among the predicted shapes   (SOA's "object detected")
 *   color right  ⇔ the asked color is among the predicted colors
 *   count right  ⇔ predicted count = asked count
 *   all right    ⇔ all three
 * Also the parser of ShapesWorld prompts ("two blue squares", "a red circle on a pink
 * background"), built on the word tables the captions are written from (captions.ts), and the
 * classifier's own accuracy on renders whose truth is known (a head is right when its
 * predicted set equals the true set).
 *
 * @example
 *   const asked = prompts.map(parseShapesPrompt);          // { shape: 'square', color: 'blue', count: 2 }
 *   const predicted = await classifier.classify(images);   // one per prompt
 *   attributeAccuracy(predicted, asked);                   // { shapeAccuracy: 0.9, …, allAccuracy: 0.7 }
 */
import { invalidInput } from '../../contract/errors.ts';
import {
  BACKGROUND_NAMES,
  BACKGROUNDS,
  COLOR_NAMES,
  COLORS,
  COUNT_WORDS,
  SHAPE_NAMES,
  SHAPES,
  SIZE_NAMES,
  SIZES,
  type BackgroundName,
  type ColorName,
  type ShapeName,
  type SizeName,
} from './attributes.ts';
import { sceneAttributes, type Scene } from './sample.ts';
import type { ImageAttributes } from './classifier/index.ts';

/** What a prompt asks for: shape, color and count always; size and background when it says them. */
export interface AskedAttributes {
  shape: ShapeName;
  color: ColorName;
  count: number;
  size?: SizeName;
  background?: BackgroundName;
}

/** Attribute accuracies over generated images, each a fraction in [0, 1]. */
export interface AttributeAccuracy {
  images: number;
  /** The asked shape is among the predicted shapes. */
  shapeAccuracy: number;
  /** The asked color is among the predicted object colors. */
  colorAccuracy: number;
  /** The predicted count is the asked count. */
  countAccuracy: number;
  /** All three at once. */
  allAccuracy: number;
}

/** The classifier's accuracy on pictures of known content: a head is right when its predicted set equals the true set. */
export interface ClassifierAccuracy {
  images: number;
  shapeAccuracy: number;
  colorAccuracy: number;
  countAccuracy: number;
  /** All three heads right. */
  exact: number;
}

/** The table entry whose word (or, for shapes, plural) is `token`. */
const shapeOf = (token: string): { shape: ShapeName; plural: boolean } | undefined => {
  const shape = SHAPE_NAMES.find((s) => SHAPES[s].word === token || SHAPES[s].plural === token);
  return shape && { shape, plural: SHAPES[shape].plural === token };
};
/** The count a token says: a number word of the captions ("two") or its digit ("2"). */
function countOf(token: string): number | undefined {
  const entry = Object.entries(COUNT_WORDS).find(([n, word]) => word === token || n === token);
  return entry && Number(entry[0]);
}

/** Cuts the "<name> background" phrase out of a prompt; returns the background and the rest. */
function takeBackground(text: string): { background?: BackgroundName; rest: string } {
  for (const name of BACKGROUND_NAMES) {
    const phrase = `${BACKGROUNDS[name].word} background`;
    if (text.includes(phrase)) return { background: name, rest: text.replace(phrase, ' ') };
  }
  return { rest: text };
}

/** The one distinct value the tokens name, or undefined; throws when they name two. */
function single<T>(values: Array<T | undefined>, what: string, prompt: string): T | undefined {
  const distinct = [...new Set(values.filter((v): v is T => v !== undefined))];
  if (distinct.length > 1) throw invalidInput(`prompt '${prompt}' names more than one ${what} (${distinct.join(', ')})`, 'prompt');
  return distinct[0];
}

/**
 * The shape, color and count a ShapesWorld prompt asks for (and size and background when it
 * says them). The count is a number word or digit, or one for a singular noun. Throws an
 * invalid-input error naming the prompt when it has no shape or color, or two of either.
 */
export function parseShapesPrompt(prompt: string): AskedAttributes {
  const { background, rest } = takeBackground(prompt.toLowerCase());
  const tokens = rest.match(/[a-z0-9]+/g) ?? [];
  const shapes = tokens.map(shapeOf);
  const found = single(
    shapes.map((s) => s?.shape),
    'shape',
    prompt,
  );
  if (!found) throw invalidInput(`prompt '${prompt}' names no ShapesWorld shape (${SHAPE_NAMES.join(', ')})`, 'prompt');
  const color = single(
    tokens.map((t) => COLOR_NAMES.find((c) => COLORS[c].word === t)),
    'color',
    prompt,
  );
  if (!color) throw invalidInput(`prompt '${prompt}' names no object color (${COLOR_NAMES.join(', ')})`, 'prompt');
  const plural = shapes.some((s) => s?.plural);
  // "a circle", "a single circle": a singular noun with no number word asks for one.
  const count = single(tokens.map(countOf), 'count', prompt) ?? (plural ? undefined : 1);
  if (count === undefined) throw invalidInput(`prompt '${prompt}' asks for several ${SHAPES[found].plural} but says not how many (two, three)`, 'prompt');
  const size = single(
    tokens.map((t) => SIZE_NAMES.find((s) => SIZES[s].word === t)),
    'size',
    prompt,
  );
  const asked: AskedAttributes = { shape: found, color, count };
  if (size) asked.size = size;
  if (background) asked.background = background;
  return asked;
}

/** What a scene spec asks for: its objects' shape, color, count, size and background. */
export function askedOfScene(scene: Scene): AskedAttributes {
  const { shape, color, count, size, background } = sceneAttributes(scene);
  return { shape, color, count, size, background };
}

/** Fraction of items for which `right` holds (0 for no items). */
const fraction = <T>(items: readonly T[], right: (item: T, i: number) => boolean): number => (items.length === 0 ? 0 : items.filter(right).length / items.length);

/** Shape, color, count and all-three accuracy of generated images against what their prompts asked. */
export function attributeAccuracy(predicted: readonly ImageAttributes[], asked: readonly AskedAttributes[]): AttributeAccuracy {
  if (predicted.length !== asked.length) throw new RangeError(`attributeAccuracy: ${predicted.length} predictions for ${asked.length} prompts`);
  const shapeRight = (p: ImageAttributes, i: number): boolean => p.shapes.includes(asked[i]!.shape);
  const colorRight = (p: ImageAttributes, i: number): boolean => p.colors.includes(asked[i]!.color);
  const countRight = (p: ImageAttributes, i: number): boolean => p.count === asked[i]!.count;
  return {
    images: predicted.length,
    shapeAccuracy: fraction(predicted, shapeRight),
    colorAccuracy: fraction(predicted, colorRight),
    countAccuracy: fraction(predicted, countRight),
    allAccuracy: fraction(predicted, (p, i) => shapeRight(p, i) && colorRight(p, i) && countRight(p, i)),
  };
}

const sameSet = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** The classifier's per-head accuracy against known truths (a multi-label head is right when the predicted set equals the true set). */
export function classifierAccuracy(predicted: readonly ImageAttributes[], truths: readonly ImageAttributes[]): ClassifierAccuracy {
  if (predicted.length !== truths.length) throw new RangeError(`classifierAccuracy: ${predicted.length} predictions for ${truths.length} truths`);
  const shapeRight = (p: ImageAttributes, i: number): boolean => sameSet(p.shapes, truths[i]!.shapes);
  const colorRight = (p: ImageAttributes, i: number): boolean => sameSet(p.colors, truths[i]!.colors);
  const countRight = (p: ImageAttributes, i: number): boolean => p.count === truths[i]!.count;
  return {
    images: predicted.length,
    shapeAccuracy: fraction(predicted, shapeRight),
    colorAccuracy: fraction(predicted, colorRight),
    countAccuracy: fraction(predicted, countRight),
    exact: fraction(predicted, (p, i) => shapeRight(p, i) && colorRight(p, i) && countRight(p, i)),
  };
}
