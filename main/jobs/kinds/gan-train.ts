/**
 * Job kind `gan-train`: Lafite's conditional StyleGAN2 trained on a dataset, a thin adapter:
 * the run itself (the images, the conditions of any pseudo method or schedule, captions or
 * semi-supervised: jobs/train-conditions.ts; folders, resume from the checkpoint after a stop or
 * kill -9, fine-tuning from another run, the attempt's backend, losses per step in SQLite) is
 * jobs/train-run.ts, the same as the diffusion model's; this file builds the GanTrainer
 * (engine/gan/trainer.ts: G, D, G_ema, StyleGAN2's Adam, checkpoints with the loss history, the
 * sample grid) from the job's options, with Freeze-D, ConG's CLIP image tower and mode seeking,
 * and says how its losses read.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendStatus, TrainResult } from '../../contract/index.ts';
import { invalidInput, unavailable } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadClipTowersFromOnnx } from '../../engine/clip/onnx-import.ts';
import { LANGUAGE_FREE_WEIGHTS, SUPERVISED_WEIGHTS } from '../../engine/gan/losses.ts';
import { DEFAULT_STEP, type StepLosses } from '../../engine/gan/train-step.ts';
import { GanTrainer } from '../../engine/gan/trainer.ts';
import { tfSeed } from '../../engine/random.ts';
import { writeImageGrid } from '../generated-images.ts';
import type { JobHandler, JobInput } from '../job-kind.ts';
import { networkOf } from '../run-generator.ts';
import { checkpointFile, sampleFile, snapshotFile } from '../run-files.ts';
import { trainRun, type TrainFamily } from '../train-run.ts';

type Input = JobInput<'gan-train'>;

/** The sample grid's latents: one per grid cell, from the run's seed. */
const SAMPLE_SEED = 12345;

/** The engine's step options from the job's input (the paper's forms and StyleGAN2's regularisers unless asked otherwise). */
const stepOptionsOf = (input: Input) => ({
  ...DEFAULT_STEP,
  weights: input.pseudo === 'captions' ? SUPERVISED_WEIGHTS : LANGUAGE_FREE_WEIGHTS,
  seed: input.seed,
  frozenBlocks: input.freezeD,
  styleMixing: input.styleMixing,
  accumulate: input.accumulate ?? 1, // runs stored before the option: the whole batch
  recompute: input.recompute ?? false, // runs stored before the option: off
  pathLength: { ...DEFAULT_STEP.pathLength, weight: input.plWeight },
  modeSeeking: input.modeSeeking ?? 0, // runs stored before the option: off
  forms: { contrastive: input.contrastiveForm, semantic: input.semanticForm },
});

/** The losses every step has (R1, path length and mode seeking only on the steps that evaluate them). */
function everyStepLosses(losses: StepLosses): TrainResult['losses'] {
  const { r1: _r1, pathLength: _pl, modeSeeking: _ms, ...kept } = losses;
  return kept;
}

/** A step's losses as one row of metrics (R1, path length and mode seeking on the steps that evaluate them). */
function metricsOf(losses: StepLosses): Record<string, number> {
  const { r1, pathLength, modeSeeking } = losses;
  return { ...everyStepLosses(losses), ...(r1 !== null ? { r1 } : {}), ...(pathLength !== null ? { pathLength } : {}), ...(modeSeeking !== null ? { modeSeeking } : {}) };
}

function family(input: Input): TrainFamily<Input, StepLosses> {
  const network = networkOf(input);
  return {
    kind: 'gan-train',
    resolution: network.resolution,
    async build(context) {
      const parts = GanTrainer.buildParts(network, { textDim: context.data.dim, seed: input.seed, learningRate: input.learningRate });
      if (input.freezeD > parts.d.blockCount) {
        [parts.g, parts.d, parts.gEma].forEach((n) => n.dispose());
        throw invalidInput(`Freeze-D: the ${input.preset} discriminator has ${parts.d.blockCount} blocks, not ${input.freezeD}`, 'freezeD');
      }
      if (input.conG) {
        const towers = await loadClipTowersFromOnnx(context.modelPath, undefined, { towers: ['vision'], trainable: false });
        parts.clip = { towers, imageSize: towers.config.vision.imageSize };
      }
      const { folder, samples } = context;
      const z = tf.randomNormal([samples.h.shape[0], parts.g.options.zDim], 0, 1, 'float32', tfSeed(input.seed + SAMPLE_SEED)) as tf.Tensor2D; // [N, zDim]
      const trainer = new GanTrainer(parts, {
        stepOptions: stepOptionsOf(input),
        batch: context.batch,
        files: { checkpoint: checkpointFile(folder), snapshot: (step) => snapshotFile(folder, step) },
        samples: { z, h: samples.h, columns: samples.columns, write: (step, images, columns) => writeImageGrid(sampleFile(folder, step), images, columns) },
        saved: context.saved,
      });
      return {
        trainer,
        parameters: { g: parts.g.parameterCount(), d: parts.d.parameterCount() },
        dispose: () => {
          z.dispose();
          trainer.dispose();
        },
      };
    },
    metrics: metricsOf,
    progressMetrics: everyStepLosses,
    message: (losses) => `L_D ${losses.dLoss.toFixed(3)}, L_G ${losses.gLoss.toFixed(3)}`,
    incompatible(trained, wanted) {
      const form = trained.condition ?? 'paper';
      if (trained.preset === wanted.preset && trained.model === wanted.model && form === (wanted.condition ?? 'paper')) return undefined;
      const official = form === 'official' ? ' with the official condition form' : '';
      return `run ${wanted.init} is a ${trained.preset} network on ${trained.model}${official}: fine-tune it with --preset ${trained.preset} --model ${trained.model} --condition ${form}`;
    },
  };
}

/** Presets a CPU backend cannot train: the paper network exhausts wasm's 4 GiB heap (measured by `npm run bench -- presets`) and takes minutes a step on cpu. */
function checkBackendFits(preset: Input['preset'], backend: BackendStatus): void {
  if (preset === 'paper' && (backend.id === 'wasm' || backend.id === 'cpu')) {
    throw unavailable(
      `the paper preset (256 px, about 75M parameters) needs a GPU backend: on ${backend.id} it runs out of memory or takes minutes a step. Train --preset shapes here, or on a GPU machine (lafite info lists the backends)`,
    );
  }
}

export const ganTrain: JobHandler<'gan-train', { step: number }> = {
  async run(input, job): Promise<TrainResult> {
    const backend = await initBackend(job.backend);
    checkBackendFits(input.preset, backend);
    const { loop, images, folder, pseudoRun } = await trainRun(input, job, backend, family(input));
    return {
      steps: loop.reached,
      images,
      backend: backend.id,
      seconds: loop.seconds,
      imagesPerSecond: loop.imagesPerSecond,
      losses: loop.last ? everyStepLosses(loop.last) : { dLoss: 0, gLoss: 0, conDReal: 0, conDFake: 0, conG: 0 },
      folder,
      pseudoRun,
    };
  },
};
