/**
 * ShapesWorld captions: ground-truth descriptions of a scene in varied wording.
 *
 * Every caption states the count, the color and the shape ("two red circles"); the size
 * and the background are said in some wordings and left out in others. Wordings come from
 * a fixed set of noun-phrase forms and frames, so each caption is true of its scene.
 *
 * @example
 *   canonicalCaption(scene)        // 'two small red circles on a light gray background'
 *   captionsFor(scene, rng, 3)     // ['there are two circles colored red', 'a picture of two small red circles', …]
 */
import { BACKGROUNDS, COLORS, COUNT_WORDS, SHAPES, SIZES } from './attributes.ts';
import { sceneAttributes, type Rng, type Scene, type SceneAttributes } from './sample.ts';

/** How a count of one is said: "a circle", "one circle", "a single circle". */
const SINGLE_STYLES = ['article', 'one', 'single'] as const;
type CountStyle = (typeof SINGLE_STYLES)[number] | 'number';

/** How the color sits in the noun phrase: "red circles", "circles colored red", "circles in red". */
const NOUN_FORMS = ['adjective', 'colored', 'in'] as const;
type NounForm = (typeof NOUN_FORMS)[number];

/** A caption frame around the noun phrase `np`; `is` is "is" or "are"; `bg` is "a beige background" (empty when unused). */
interface Frame {
  withBackground: boolean;
  text: (np: string, is: string, bg: string) => string;
}

const FRAMES: readonly Frame[] = [
  { withBackground: false, text: (np) => np },
  { withBackground: false, text: (np) => `a picture of ${np}` },
  { withBackground: false, text: (np) => `an image showing ${np}` },
  { withBackground: false, text: (np, is) => `there ${is} ${np}` },
  { withBackground: false, text: (np) => `a drawing of ${np}` },
  { withBackground: true, text: (np, _is, bg) => `${np} on ${bg}` },
  { withBackground: true, text: (np, _is, bg) => `${np} against ${bg}` },
  { withBackground: true, text: (np, _is, bg) => `${bg} with ${np}` },
  { withBackground: true, text: (np, is, bg) => `there ${is} ${np} on ${bg}` },
  { withBackground: true, text: (np, _is, bg) => `a picture of ${np} on ${bg}` },
  { withBackground: true, text: (np, _is, bg) => `an image of ${np} drawn on ${bg}` },
];

/** "a" or "an" before a phrase, by its first letter (good enough for this vocabulary). */
const withArticle = (phrase: string): string => `${/^[aeiou]/.test(phrase) ? 'an' : 'a'} ${phrase}`;

/** The background as captions say it, without its article: "light gray background". */
const backgroundPhrase = (attributes: SceneAttributes): string => `${BACKGROUNDS[attributes.background].word} background`;

/** The noun phrase: count, size and color around the shape word. */
function nounPhrase(attributes: SceneAttributes, countStyle: CountStyle, form: NounForm, withSize: boolean): string {
  const shape = SHAPES[attributes.shape];
  const noun = attributes.count === 1 ? shape.word : shape.plural;
  const color = COLORS[attributes.color].word;
  const size = withSize ? `${SIZES[attributes.size].word} ` : '';
  const body = form === 'adjective' ? `${size}${color} ${noun}` : form === 'colored' ? `${size}${noun} colored ${color}` : `${size}${noun} in ${color}`;
  switch (countStyle) {
    case 'article':
      return withArticle(body);
    case 'one':
      return `one ${body}`;
    case 'single':
      return `a single ${body}`;
    case 'number':
      return `${COUNT_WORDS[attributes.count as keyof typeof COUNT_WORDS]} ${body}`;
  }
}

/** Every distinct caption this module can write for a scene, in a fixed order. */
export function allCaptions(scene: Scene): string[] {
  const attributes = sceneAttributes(scene);
  const countStyles: readonly CountStyle[] = attributes.count === 1 ? SINGLE_STYLES : ['number'];
  const is = attributes.count === 1 ? 'is' : 'are';
  const background = backgroundPhrase(attributes);
  const captions = new Set<string>();
  for (const frame of FRAMES) {
    for (const countStyle of countStyles) {
      for (const form of NOUN_FORMS) {
        for (const withSize of [true, false]) {
          const np = nounPhrase(attributes, countStyle, form, withSize);
          captions.add(frame.text(np, is, frame.withBackground ? withArticle(background) : ''));
        }
      }
    }
  }
  return [...captions];
}

/** `n` distinct captions of a scene, chosen by `rng` (n at most allCaptions(scene).length, which is ≥ 60). */
export function captionsFor(scene: Scene, rng: Rng, n: number): string[] {
  const all = allCaptions(scene);
  if (!Number.isInteger(n) || n < 0 || n > all.length) throw new RangeError(`captionsFor: n must be an integer in [0, ${all.length}], got ${n}`);
  // Partial Fisher–Yates: the first n places hold a uniform sample without repeats.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (all.length - i));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, n);
}

/** The one plain caption that states every attribute: "two small red circles on a light gray background". */
export function canonicalCaption(scene: Scene): string {
  const attributes = sceneAttributes(scene);
  const countStyle: CountStyle = attributes.count === 1 ? 'article' : 'number';
  return `${nounPhrase(attributes, countStyle, 'adjective', true)} on ${withArticle(backgroundPhrase(attributes))}`;
}
