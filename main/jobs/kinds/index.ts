/**
 * The job kinds, each loaded only inside the worker that runs it. A capability adds its
 * kind here (and its input schema in main/contract/).
 */
import type { JobKind } from '../../contract/index.ts';
import type { JobHandler } from '../job-kind.ts';

export const jobHandlers: { [K in JobKind]: () => Promise<JobHandler<K>> } = {
  'backend-benchmark': async () => (await import('./backend-benchmark.ts')).backendBenchmark,
  'shapes-generate': async () => (await import('./shapes-generate.ts')).shapesGenerate,
  'model-download': async () => (await import('./model-download.ts')).modelDownload,
  'model-eval': async () => (await import('./model-eval.ts')).modelEval,
  'dataset-import': async () => (await import('./dataset-import.ts')).datasetImport,
  'dataset-dedupe': async () => (await import('./dataset-dedupe.ts')).datasetDedupe,
  'pseudo-train-nn': async () => (await import('./pseudo-train-nn.ts')).pseudoTrainNn,
  'pseudo-synth': async () => (await import('./pseudo-synth.ts')).pseudoSynth,
  'gan-train': async () => (await import('./gan-train.ts')).ganTrain,
  'diffusion-train': async () => (await import('./diffusion-train.ts')).diffusionTrain,
  'gan-generate': async () => (await import('./gan-generate.ts')).ganGenerate,
  'gan-eval': async () => (await import('./gan-eval.ts')).ganEval,
  embed: async () => (await import('./embed.ts')).embed,
};
