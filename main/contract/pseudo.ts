/**
 * The pseudo-text-feature part of the API contract: runs, vocabulary sets, the
 * `pseudo-synth` and `pseudo-train-nn` jobs, the `pseudo.*` and `vocabulary.*` methods and
 * their outputs (composed into index.ts).
 */
import { z } from 'zod';
import type { OptionTable } from './options.ts';
import { datasetIdSchema, modelIdSchema, perturbationIdSchema, plainText, pseudoRunIdSchema, vocabularySetIdSchema } from './schemas.ts';

/** Pseudo text-feature methods (Lafite: gaussian, nn; Lafite2: retrieval, clo); `all` runs gaussian, retrieval and clo (and nn when a network is named). */
export const PSEUDO_METHODS = ['gaussian', 'nn', 'retrieval', 'clo'] as const;
export type PseudoMethodName = (typeof PSEUDO_METHODS)[number];

/** A distribution of cosines (engine/pseudo/stats.ts). */
export interface CosineDistribution {
  count: number;
  mean: number;
  std: number;
  histogram: { min: number; max: number; counts: number[] };
}

/** One stored synthesis of pseudo text features (`pseudo_runs`). */
export interface PseudoRunRecord {
  /** Hash of its configuration and of the dataset's images: its version. */
  id: string;
  dataset: string;
  method: PseudoMethodName;
  model: string;
  config: Record<string, unknown>;
  /** Lafite2 Figure 1: image–text and text–text cosines of the features. */
  stats: { imageText: CosineDistribution; textText: CosineDistribution } | null;
  /** Method figures: retrieval's distinct against naive prompt encodings, CLO's likelihood gain. */
  summary: Record<string, number> | null;
  complete: boolean;
  createdAt: string;
}

/** What a `pseudo-synth` job returns. */
export interface PseudoSynthResult {
  dataset: string;
  images: number;
  runs: (PseudoRunRecord & { reused: boolean })[];
  seconds: number;
}

/** A vocabulary set with its templates (Lafite2 step 1), as the editor shows it. */
export interface VocabularySetRecord {
  id: string;
  description: string;
  /** `saved`: edited, imported or built in this data folder (it takes the place of a default of the same id). */
  source: 'saved' | 'default';
  /** Whether a default of this id ships with the app (a saved one can be reset to it). */
  hasDefault: boolean;
  vocabularies: { name: string; entries: string[] }[];
  templates: string[];
}

/** One template checked against a set's vocabulary names. */
export interface TemplateCheck {
  template: string;
  ok: boolean;
  /** Its slots in order, when it parses. */
  slots: string[];
  error?: string;
}

/** What retrieval finds for one image with a vocabulary set (the editor's preview). */
export interface RetrievalPreview {
  image: number;
  /** Per vocabulary, its top-k entries with their cosine to the image. */
  topWords: { vocabulary: string; words: { word: string; score: number }[] }[];
  prompts: { prompt: string; score: number }[];
}

/** Where CLO starts: the retrieved prompts' features, a Gaussian draw (Lafite eq. 1), or uniform points on the sphere (the paper's ablation). */
export const CLO_INITS = ['retrieval', 'gaussian', 'uniform'] as const;
export type CloInit = (typeof CLO_INITS)[number];

/** CLO's options (engine/pseudo/clo.ts CLO_DEFAULTS): the same in synthesis and in training, in the CLI's help and the forms. */
export const CLO_OPTIONS = {
  cloSteps: { flag: '--clo-steps <K>', help: 'CLO gradient steps K', parse: 'integer', default: 10 },
  cloStepSize: { flag: '--clo-step-size <η>', help: 'CLO step size η', parse: 'number', default: 0.1 },
  cloTau: { flag: '--clo-tau <τ>', help: 'CLO temperature τ', parse: 'number', default: 0.1 },
  cloInit: {
    flag: '--clo-init <from>',
    help: "CLO starting features: the retrieved prompts, a Gaussian draw, or uniform on the sphere (the paper's ablation)",
    parse: 'choice',
    choices: CLO_INITS,
    default: 'retrieval',
  },
} as const satisfies OptionTable;

/** CLO's defaults, from CLO_OPTIONS. */
export const CLO_OPTION_DEFAULTS = {
  cloSteps: CLO_OPTIONS.cloSteps.default,
  cloStepSize: CLO_OPTIONS.cloStepSize.default,
  cloTau: CLO_OPTIONS.cloTau.default,
  cloInit: CLO_OPTIONS.cloInit.default,
} as const satisfies Record<string, number | CloInit>;

/** Contrastive latent optimization's options (Lafite2 §3.2, eq. 2), shared by `pseudo-synth` and `gan-train`. */
export const cloOptionsShape = {
  cloSteps: z.number().int().min(0).max(1000).default(CLO_OPTIONS.cloSteps.default).describe('CLO: K steps'),
  cloStepSize: z.number().min(0).max(100).default(CLO_OPTIONS.cloStepSize.default).describe('CLO: step size η'),
  cloTau: z.number().gt(0).max(10).default(CLO_OPTIONS.cloTau.default).describe('CLO: temperature τ'),
  cloInit: z.enum(CLO_INITS).default(CLO_OPTIONS.cloInit.default).describe("CLO starting features (uniform: the paper's ablation)"),
};

/** The Gaussian formula: the paper's eq. 1 or the official code's mixing. */
const GAUSSIAN_FORMS = ['paper', 'official'] as const;
/** Retrieval's template filling: all slots at once, or the core {Noun} {Verb} {Noun} first. */
const FILL_MODES = ['full', 'iterative'] as const;

/** The `pseudo-synth` job's options, CLO's among them, in the CLI's order. */
export const PSEUDO_SYNTH_OPTIONS = {
  dataset: { flag: '--dataset <name>', help: 'the dataset', parse: 'text', required: true },
  model: { flag: '--model <id>', help: 'CLIP encoder', parse: 'text', default: 'shapes-clip' },
  method: { flag: '--method <method>', help: 'which features (nn needs --nn)', parse: 'choice', choices: [...PSEUDO_METHODS, 'all'], default: 'all' },
  seed: { flag: '--seed <n>', help: 'seed', parse: 'integer', default: 0 },
  xi: { flag: '--xi <ξ>', help: 'Gaussian noise level (paper form default 3, official form default 0.75)', parse: 'number' },
  form: { flag: '--form <form>', help: "Gaussian formula: the paper's eq. 1 or the official code's mixing", parse: 'choice', choices: GAUSSIAN_FORMS, default: 'paper' },
  vocabulary: { flag: '--vocabulary <set>', help: 'vocabulary set: photos, faces, birds, shapes', parse: 'text', default: 'shapes' },
  templates: { flag: '--templates <set>', help: 'template set (default: the vocabulary set)', parse: 'text' },
  k: { flag: '--k <n>', help: 'words kept per image and vocabulary', parse: 'integer', default: 5 },
  m: { flag: '--m <n>', help: 'prompts kept per image', parse: 'integer', default: 5 },
  mode: { flag: '--mode <mode>', help: 'fill templates at once, or the core {Noun} {Verb} {Noun} first', parse: 'choice', choices: FILL_MODES, default: 'iterative' },
  keepCore: { flag: '--keep-core <r>', help: 'core fillings kept per image (iterative mode)', parse: 'integer', default: 3 },
  threshold: { flag: '--threshold <cos>', help: 'drop prompts under this cosine', parse: 'number' },
  refineSteps: { flag: '--refine <steps>', help: 'greedy refinement: phrases appended to each best prompt while its cosine rises (0: off)', parse: 'integer', default: 0 },
  ...CLO_OPTIONS,
  cloBatch: { flag: '--clo-batch <n>', help: 'CLO mini-batch size', parse: 'integer', default: 64 },
  nn: { flag: '--nn <name>', help: 'trained perturbation network for the nn method (lafite pseudo train-nn)', parse: 'text' },
} as const satisfies OptionTable;

/** The `pseudo-train-nn` job's options, in the CLI's order. */
export const PSEUDO_TRAIN_NN_OPTIONS = {
  dataset: { flag: '--dataset <name>', help: 'a dataset with captions', parse: 'text', required: true },
  name: { flag: '--name <name>', help: 'name to store the network under', parse: 'text', required: true },
  model: { flag: '--model <id>', help: 'CLIP encoder', parse: 'text', default: 'shapes-clip' },
  steps: { flag: '--steps <n>', help: 'training steps', parse: 'integer', default: 2000 },
  batchSize: { flag: '--batch-size <n>', help: 'pairs per step', parse: 'integer', default: 64 },
  hidden: { flag: '--hidden <n>', help: 'width of the hidden layers of r1 and r2', parse: 'integer', default: 1024 },
  learningRate: { flag: '--lr <rate>', help: 'Adam learning rate', parse: 'number', default: 0.001 },
  seed: { flag: '--seed <n>', help: 'seed', parse: 'integer', default: 0 },
} as const satisfies OptionTable;

/** Input schemas of the pseudo-feature jobs. */
export const pseudoJobSchemas = {
  /** Pseudo text features of a dataset's images (Lafite eq. 1, Lafite2 retrieval and CLO), stored per configuration. */
  'pseudo-synth': z
    .object({
      dataset: datasetIdSchema.describe('the dataset'),
      model: modelIdSchema.default(PSEUDO_SYNTH_OPTIONS.model.default).describe('the CLIP encoder'),
      method: z
        .enum([...PSEUDO_METHODS, 'all'])
        .default(PSEUDO_SYNTH_OPTIONS.method.default)
        .describe('which features; all: gaussian, retrieval and clo'),
      seed: z.number().int().min(0).max(0xffffffff).default(PSEUDO_SYNTH_OPTIONS.seed.default),
      xi: z.number().min(0).max(100).optional().describe('Gaussian noise level ξ (paper form default 3; official form default 0.75)'),
      form: z.enum(GAUSSIAN_FORMS).default(PSEUDO_SYNTH_OPTIONS.form.default).describe("Gaussian formula: the paper's eq. 1 or the official code's mixing"),
      vocabulary: vocabularySetIdSchema.default(PSEUDO_SYNTH_OPTIONS.vocabulary.default).describe('vocabulary set (a default domain: photos, faces, birds, shapes)'),
      templates: vocabularySetIdSchema.optional().describe("template set (default: the vocabulary set's domain)"),
      k: z.number().int().min(1).max(50).default(PSEUDO_SYNTH_OPTIONS.k.default).describe('words kept per image and vocabulary'),
      m: z.number().int().min(1).max(50).default(PSEUDO_SYNTH_OPTIONS.m.default).describe('prompts kept per image'),
      mode: z.enum(FILL_MODES).default(PSEUDO_SYNTH_OPTIONS.mode.default).describe('fill templates at once, or the core {Noun} {Verb} {Noun} first'),
      keepCore: z.number().int().min(1).max(50).default(PSEUDO_SYNTH_OPTIONS.keepCore.default).describe('r: core fillings kept per image (iterative mode)'),
      threshold: z.number().min(-1).max(1).optional().describe('drop prompts under this cosine'),
      refineSteps: z
        .number()
        .int()
        .min(0)
        .max(20)
        .default(PSEUDO_SYNTH_OPTIONS.refineSteps.default)
        .describe('greedy refinement: phrases appended to each best prompt while its cosine rises (0: off)'),
      ...cloOptionsShape,
      cloBatch: z.number().int().min(2).max(4096).default(PSEUDO_SYNTH_OPTIONS.cloBatch.default).describe('CLO: mini-batch size'),
      nn: perturbationIdSchema.optional().describe('trained perturbation network (pseudo-train-nn) for the nn method'),
    })
    .strict()
    .refine((input) => input.method !== 'nn' || input.nn !== undefined, { message: 'the nn method needs a trained network: --nn NAME (lafite pseudo train-nn)', path: ['nn'] }),
  /** Trains Lafite's trainable perturbation (eq. 2) on a dataset's image–caption pairs; stored by name, reusable on other datasets. */
  'pseudo-train-nn': z
    .object({
      dataset: datasetIdSchema.describe('a dataset with captions'),
      model: modelIdSchema.default(PSEUDO_TRAIN_NN_OPTIONS.model.default).describe('the CLIP encoder'),
      name: perturbationIdSchema.describe('name to store the trained network under'),
      steps: z.number().int().min(1).max(1_000_000).default(PSEUDO_TRAIN_NN_OPTIONS.steps.default),
      batchSize: z.number().int().min(2).max(4096).default(PSEUDO_TRAIN_NN_OPTIONS.batchSize.default),
      hidden: z.number().int().min(8).max(4096).default(PSEUDO_TRAIN_NN_OPTIONS.hidden.default).describe('width of the hidden layers of r1 and r2'),
      learningRate: z.number().gt(0).max(1).default(PSEUDO_TRAIN_NN_OPTIONS.learningRate.default),
      seed: z.number().int().min(0).max(0xffffffff).default(PSEUDO_TRAIN_NN_OPTIONS.seed.default),
    })
    .strict(),
} as const;

/**
 * Which entries of a set's vocabularies the encoder's tokenizer does not hold as whole words
 * (`vocabulary.words`). In a single-word vocabulary (Noun, Verb, Numeral, Adjective) such an
 * entry is not "a word of the encoder": save refuses it; in a phrase vocabulary the encoder
 * splits it into pieces, which works but matches less well: a warning.
 */
export interface VocabularyWordCheck {
  model: string;
  /** Whole words in the tokenizer; null when the model has no tokenizer file to read (nothing is checked). */
  tokenizerWords: number | null;
  vocabularies: {
    name: string;
    /** `words`: Noun, Verb, Numeral, Adjective (refused); `phrases`: the others (warned). */
    kind: 'words' | 'phrases';
    /** Entries with a word outside the tokenizer, in the vocabulary's order (at most 200), and how many in all. */
    entries: string[];
    count: number;
    /** Those words, each once. */
    words: string[];
  }[];
}

/** Input schemas of the `pseudo.*` and `vocabulary.*` methods. */
export const pseudoMethodSchemas = {
  'pseudo.runs': z.object({ dataset: datasetIdSchema }).strict(),
  'pseudo.stats': z.object({ dataset: datasetIdSchema, model: modelIdSchema.default('shapes-clip') }).strict(),
  'pseudo.networks': z.object({}).strict(),
  'pseudo.captions': z
    .object({
      run: pseudoRunIdSchema,
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(500).default(50),
    })
    .strict(),
  'vocabulary.list': z.object({}).strict(),
  'vocabulary.get': z.object({ id: vocabularySetIdSchema }).strict(),
  'vocabulary.save': z
    .object({
      id: vocabularySetIdSchema,
      description: z.string().max(4000).default(''),
      vocabularies: z
        .array(z.object({ name: plainText(64), entries: z.array(plainText(200)).max(100_000) }).strict())
        .min(1)
        .max(64),
      templates: z.array(plainText(300)).min(1).max(500),
      model: modelIdSchema
        .optional()
        .describe(
          "an encoder: the single-word vocabularies (Noun, Verb, Numeral, Adjective) may hold only whole words of its tokenizer; others' are refused with the words (vocabulary.words)",
        ),
    })
    .strict(),
  'vocabulary.words': z
    .object({
      model: modelIdSchema.describe('the encoder whose tokenizer is asked'),
      vocabularies: z.array(z.object({ name: plainText(64), entries: z.array(z.string().max(200)).max(100_000) }).strict()).max(64),
    })
    .strict(),
  'vocabulary.reset': z.object({ id: vocabularySetIdSchema }).strict(),
  'vocabulary.check': z
    .object({
      vocabularies: z.array(z.string().max(64)).max(64).describe('the vocabulary names templates may use'),
      templates: z.array(z.string().max(10_000)).max(500),
    })
    .strict(),
  'vocabulary.build': z
    .object({
      id: vocabularySetIdSchema.describe('id of the new saved set'),
      model: modelIdSchema.describe("the CLIP model whose tokenizer's whole words are sorted"),
      templatesFrom: vocabularySetIdSchema.optional().describe('copy the templates of this set (default: photos)'),
      replace: z.boolean().default(false).describe('replace a set of this id (a saved one, or shadow a default)'),
    })
    .strict(),
  'vocabulary.preview': z
    .object({
      dataset: datasetIdSchema,
      image: z.number().int().min(1),
      id: vocabularySetIdSchema.describe('vocabulary set'),
      model: modelIdSchema.default('shapes-clip'),
      k: z.number().int().min(1).max(50).default(5),
      m: z.number().int().min(1).max(50).default(5),
    })
    .strict(),
} as const;

/** Output types of the `pseudo.*` and `vocabulary.*` methods. */
export interface PseudoOutputs {
  'vocabulary.list': VocabularySetRecord[];
  'vocabulary.get': VocabularySetRecord;
  'vocabulary.save': VocabularySetRecord;
  /** `removed`: whether there was a saved set; the default (if any) is what the id means now. */
  'vocabulary.reset': { id: string; removed: boolean };
  'vocabulary.check': TemplateCheck[];
  'vocabulary.words': VocabularyWordCheck;
  'vocabulary.build': VocabularySetRecord;
  'vocabulary.preview': RetrievalPreview;
  'pseudo.runs': PseudoRunRecord[];
  /** Trained perturbation networks (`lafite pseudo train-nn`), for the nn method. */
  'pseudo.networks': { name: string; model: string; dim: number; hidden: number; steps: number; meanCosine: number; pairs: number }[];
  /**
   * Lafite2 Figure 1 for a dataset: its real captions (each image with its first caption; null
   * when it has none, or their features are not cached yet: \`lafite pseudo synth\` caches them)
   * and every stored run.
   */
  'pseudo.stats': { captions: { imageText: CosineDistribution; textText: CosineDistribution; pairs: number } | null; runs: PseudoRunRecord[] };
  /** Per image (in path order) its pseudo captions (retrieval) or feature scores (others), best first. */
  'pseudo.captions': { total: number; images: { id: number; path: string; captions: { prompt: string | null; score: number }[] }[] };
}
