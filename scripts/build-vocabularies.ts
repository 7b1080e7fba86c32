/**
 * Builds the default vocabulary sets in resources/vocabularies (Lafite2 §3.1, step 1):
 *
 *   npx tsx scripts/build-vocabularies.ts [--out DIR]
 *
 * - shapes.json: every whole word of the demo model's tokenizer (resources/models/shapes-clip),
 *   sorted into Noun, Verb, Numeral and Adjective by the categoriser (main/engine/pseudo/pos-tagging.ts), as `lafite pseudo vocab
 *   build --model M` does for any CLIP model (vocabularySetFromTokenizer);
 * - photos.json, faces.json, birds.json: CLIP's own vocabulary cannot be had offline, so these
 *   come from the hand-picked seed words below passed through the same categoriser, plus each
 *   domain's phrase vocabularies (faces: Accessory, Hair, …; birds: Part, Marking).
 *
 * Deterministic: the same inputs give byte-identical files.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildVocabularySet, vocabularySetFromTokenizer } from '../main/engine/pseudo/vocabulary-build.ts';
import { serialiseVocabularySet, type VocabularySet } from '../main/engine/pseudo/vocabulary.ts';
import { builtinModelDir, resourcesDir } from '../main/store/paths.ts';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: join(resourcesDir(), 'vocabularies') } } });

/** Splits a whitespace-separated word list. */
const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

/** The default sets' descriptions, written for the people who edit them (how they were made is in this script's header). */
const DESCRIPTIONS = {
  shapes:
    "Words for ShapesWorld pictures: every whole word the built-in shapes-clip encoder knows (so each can fill a template slot), sorted into nouns, verbs, numerals and adjectives. Remove words that never describe your pictures; words outside the encoder's vocabulary are refused.",
  photos:
    'Words for everyday photos: people, animals, vehicles, food, places and what they do, sorted into nouns, verbs, numerals and adjectives. A starting point: add the words your own pictures need, remove those they never show.',
  faces:
    'Words for portraits: people by age and look, sorted into nouns, verbs, numerals and adjectives, with phrases for accessories, hair, facial hair, expressions and features ("wearing glasses", "with a beard"). Add the looks your pictures show.',
  birds:
    'Words for close-ups of wild birds: species, poses and colours, sorted into nouns, verbs, numerals and adjectives, with body parts and colour markings ("with a red crown"). Add the species and markings your pictures show.',
} as const;

// ---------------------------------------------------------------------------------------------
// photos: everyday scenes, in the spirit of COCO captions

const PHOTO_WORDS = words(`
  a one two three four five six seven eight nine ten several many some few pair couple dozen
  person people man men woman women child children boy boys girl girls baby kid kids player players family crowd
  dog dogs cat cats horse horses sheep cow cows elephant elephants bear bears zebra zebras giraffe giraffes bird birds duck ducks
  bicycle bike car cars motorcycle airplane plane bus train truck boat boats traffic light sign hydrant bench
  backpack umbrella handbag tie suitcase frisbee skis snowboard ball kite bat glove skateboard surfboard racket
  bottle glass cup fork knife spoon bowl banana apple sandwich orange broccoli carrot pizza donut cake
  chair couch sofa plant bed table toilet television laptop mouse remote keyboard phone microwave oven toaster sink refrigerator
  book clock vase scissors teddy toothbrush
  street road sidewalk city building house tower bridge park field grass beach ocean sea water lake river wave waves sand
  mountain mountains hill snow sky cloud clouds tree trees forest flower flowers garden fence wall window door roof
  room kitchen bathroom bedroom office restaurant store market station airport runway track court stadium
  food meal plate dish fruit vegetables bread meat cheese coffee tea wine
  hat shirt jacket dress shoes helmet uniform coat
  sitting standing walking running riding holding eating playing looking flying parked lying sleeping
  carrying throwing catching hitting swinging surfing skiing skateboarding jumping drinking cooking cutting
  waiting talking smiling posing wearing watching laying grazing crossing driving pulling pushing
  sits stands walks rides holds eats plays looks flies
  red orange yellow green blue purple pink brown black white gray grey silver gold
  small large big little tiny huge tall short long wide old new young empty full
  wooden metal plastic glass dirty clean wet dry bright dark colorful sunny cloudy snowy busy crowded quiet
  beautiful pretty cute happy funny delicious fresh hot cold open closed round square
`);

// ---------------------------------------------------------------------------------------------
// faces: portraits (CelebA and FFHQ attributes)

const FACE_WORDS = words(`
  a one two
  man woman boy girl child person lady gentleman guy baby teenager actor actress model
  face portrait
  smiling laughing frowning looking posing talking winking squinting staring
  young old elderly middle-aged attractive handsome pretty beautiful bald chubby slim pale tanned
  blonde brunette bearded freckled serious happy sad angry surprised calm
`);

const FACE_PHRASES = {
  Accessory: [
    'wearing glasses',
    'wearing sunglasses',
    'wearing earrings',
    'wearing a hat',
    'wearing a cap',
    'wearing lipstick',
    'wearing heavy makeup',
    'wearing a necktie',
    'wearing a necklace',
    'wearing a headband',
    'wearing a scarf',
    'wearing a hoodie',
  ],
  Hair: [
    'with blond hair',
    'with black hair',
    'with brown hair',
    'with gray hair',
    'with red hair',
    'with white hair',
    'with straight hair',
    'with wavy hair',
    'with curly hair',
    'with short hair',
    'with long hair',
    'with bangs',
    'with a ponytail',
    'with a receding hairline',
  ],
  FacialHair: ['with a beard', 'with a mustache', 'with a goatee', 'with sideburns', 'with stubble', 'clean-shaven'],
  Expression: [
    'with a smile',
    'with a big smile',
    'with a slight smile',
    'with an open mouth',
    'with closed eyes',
    'with raised eyebrows',
    'with a serious expression',
    'with a surprised look',
  ],
  Feature: [
    'with high cheekbones',
    'with rosy cheeks',
    'with bushy eyebrows',
    'with arched eyebrows',
    'with big lips',
    'with a big nose',
    'with a pointy nose',
    'with bags under the eyes',
    'with a double chin',
    'with an oval face',
    'with pale skin',
    'with narrow eyes',
  ],
} as const;

// ---------------------------------------------------------------------------------------------
// birds: close-ups of wild birds (CUB-200 captions)

const BIRD_WORDS = words(`
  a one two three several some many few pair
  bird birds sparrow finch warbler wren robin jay cardinal oriole tanager bunting grosbeak blackbird crow raven
  swallow flycatcher vireo kingfisher woodpecker hummingbird gull tern pelican cormorant duck goose heron egret
  owl hawk eagle parrot albatross puffin nuthatch kinglet waxwing shrike thrasher mockingbird meadowlark grackle
  branch branches tree twig leaves grass ground water lake shore rock feeder fence wire sky nest flower
  perched sitting standing flying swimming eating singing resting walking wading diving hopping foraging
  feeding pecking preening floating landing spreading looking
  red orange yellow green blue purple pink brown black white gray grey olive buff rufous iridescent
  small tiny medium large long short thin thick pointed curved hooked stubby rounded forked notched
  spotted striped speckled streaked mottled bright dark pale colorful fluffy plump slender
`);

const BIRD_COLORS = ['red', 'orange', 'yellow', 'blue', 'brown', 'black', 'white', 'gray'] as const;
/** Body parts with whether they take an article ("a red crown", "red wings"). */
const BIRD_PARTS = [
  ['crown', true],
  ['head', true],
  ['throat', true],
  ['breast', true],
  ['belly', true],
  ['back', true],
  ['tail', true],
  ['bill', true],
  ['wings', false],
  ['feet', false],
] as const;

const BIRD_PHRASES = {
  Part: [
    'crown',
    'forehead',
    'nape',
    'head',
    'neck',
    'throat',
    'breast',
    'belly',
    'back',
    'rump',
    'flanks',
    'wings',
    'wingbars',
    'tail',
    'bill',
    'beak',
    'eyering',
    'eyebrow',
    'cheek patch',
    'crest',
    'legs',
    'feet',
    'primaries',
    'secondaries',
  ],
  Marking: [
    ...BIRD_COLORS.flatMap((color) => BIRD_PARTS.map(([part, article]) => `with ${article ? 'a ' : ''}${color} ${part}`)),
    'with white wingbars',
    'with a white eyering',
    'with a black eyebrow',
    'with a spotted breast',
    'with a streaked breast',
    'with a long pointed bill',
    'with a short cone-shaped bill',
    'with a hooked bill',
    'with a forked tail',
    'with a crest',
    'with black and white stripes',
    'with a black mask',
  ],
};

// ---------------------------------------------------------------------------------------------

/** The default sets, in file order. */
async function defaultSets(): Promise<VocabularySet[]> {
  const tokenizerPath = join(builtinModelDir('shapes-clip'), 'tokenizer.json');
  const tokenizer: unknown = JSON.parse(await readFile(tokenizerPath, 'utf8'));
  const shapes = vocabularySetFromTokenizer(tokenizer, {
    id: 'shapes',
    source: tokenizerPath,
    description: DESCRIPTIONS.shapes,
  });
  return [
    shapes,
    buildVocabularySet({ id: 'photos', description: DESCRIPTIONS.photos, words: PHOTO_WORDS }),
    buildVocabularySet({
      id: 'faces',
      description: DESCRIPTIONS.faces,
      words: FACE_WORDS,
      phrases: FACE_PHRASES,
    }),
    buildVocabularySet({
      id: 'birds',
      description: DESCRIPTIONS.birds,
      words: BIRD_WORDS,
      phrases: BIRD_PHRASES,
    }),
  ];
}

await mkdir(args.out, { recursive: true });
for (const set of await defaultSets()) {
  const file = join(args.out, `${set.id}.json`);
  await writeFile(file, serialiseVocabularySet(set));
  const sizes = set.vocabularies.map((v) => `${v.name} ${v.entries.length}`).join(', ');
  process.stderr.write(`${file}: ${sizes}\n`);
}
