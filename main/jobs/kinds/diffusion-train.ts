/**
 * Job kind `diffusion-train`: Lafite2's diffusion model (a UNet ε_θ(x_t, t, h) with the CLIP
 * feature added to its time embedding: engine/diffusion/) trained on a dataset, a thin adapter:
 * the run itself (data, conditions of any pseudo method, captions or semi-supervised, resume,
 * fine-tuning, metrics) is jobs/train-run.ts, the same as the GAN's; this file builds the
 * DiffusionTrainer from the job's options and says how its loss reads. A latent preset adds its
 * autoencoder phase and trains the UNet on the encoded batches (diffusion-latent.ts).
 */
import type { AutoencoderSummary, BackendStatus, DiffusionTrainResult } from '../../contract/index.ts';
import { unavailable } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { DIFFUSION_PRESETS, imageResolution, isLatentPreset } from '../../engine/diffusion/presets.ts';
import { DiffusionTrainer, type DiffusionLosses } from '../../engine/diffusion/trainer.ts';
import { writeImageGrid } from '../generated-images.ts';
import type { JobHandler, JobInput } from '../job-kind.ts';
import { checkpointFile, sampleFile, snapshotFile } from '../run-files.ts';
import { trainRun, type ResumableTrainer, type TrainFamily } from '../train-run.ts';
import { latentRun, type LatentRun } from './diffusion-latent.ts';

type Input = JobInput<'diffusion-train'>;

/** The sample grid's seeds: one per column and row (the prompts are tiled twice, as the GAN's grid). */
const SAMPLE_SEED = 12345;

/** The family, and a latent run's first stage once built (for the job's result). */
function family(input: Input): { family: TrainFamily<Input, DiffusionLosses>; autoencoder(): AutoencoderSummary | undefined } {
  const network = DIFFUSION_PRESETS[input.preset];
  const preset = input.preset;
  let latent: LatentRun | undefined;
  const trainFamily: TrainFamily<Input, DiffusionLosses> = {
    kind: 'diffusion-train',
    resolution: imageResolution(preset),
    async build(context) {
      latent = isLatentPreset(preset) ? latentRun(input, preset, context) : undefined;
      const parts = DiffusionTrainer.buildParts(network, {
        textDim: context.data.dim,
        seed: input.seed,
        learningRate: input.learningRate,
        noiseSchedule: input.noiseSchedule,
        timesteps: input.timesteps,
      });
      const { folder, samples } = context;
      const trainer = new DiffusionTrainer(parts, {
        options: { condDrop: input.condDrop, ema: input.ema, seed: input.seed },
        batch: latent ? latent.batch : context.batch,
        files: { checkpoint: checkpointFile(folder), snapshot: (step) => snapshotFile(folder, step) },
        samples: {
          h: samples.h,
          seeds: Array.from({ length: samples.h.shape[0] }, (_, i) => SAMPLE_SEED + input.seed * 1000 + i),
          columns: samples.columns,
          sampling: { sampler: 'ddim', steps: input.sampleSteps, eta: 0, guidance: input.sampleGuidance, clip: !latent },
          write: latent ? latent.write : (step, images, columns) => writeImageGrid(sampleFile(folder, step), images, columns),
        },
        saved: context.saved,
      });
      const resumable: ResumableTrainer<DiffusionLosses> = {
        step: (step) => trainer.step(step),
        save: (step) => trainer.save(step),
        sample: (step) => trainer.sample(step),
        resume: (file) => trainer.resume(file),
        async initFrom(file) {
          await trainer.initFrom(file);
          latent?.initFrom(file); // the UNet learnt the init run's latent space: its autoencoder comes along
        },
      };
      return {
        trainer: resumable,
        parameters: { g: trainer.parameterCount(), d: null },
        ...(latent ? { prepare: latent.preparation } : {}),
        dispose: () => {
          trainer.dispose();
          latent?.dispose();
        },
      };
    },
    metrics: (losses) => ({ loss: losses.loss }),
    message: (losses) => `L_simple ${losses.loss.toFixed(4)}`,
    incompatible: (trained, wanted) =>
      trained.preset !== wanted.preset || trained.model !== wanted.model || trained.timesteps !== wanted.timesteps || trained.noiseSchedule !== wanted.noiseSchedule
        ? `run ${wanted.init} is a ${trained.preset} UNet on ${trained.model} (${trained.noiseSchedule}, T = ${trained.timesteps}): fine-tune it with --family diffusion --preset ${trained.preset} --model ${trained.model} --noise-schedule ${trained.noiseSchedule} --timesteps ${trained.timesteps}`
        : undefined,
  };
  return { family: trainFamily, autoencoder: () => latent?.summary() };
}

/** The paper preset is GPU-sized (37M parameters): on a CPU backend a step takes minutes. */
function checkBackendFits(preset: Input['preset'], backend: BackendStatus): void {
  if (preset === 'paper' && (backend.id === 'wasm' || backend.id === 'cpu')) {
    throw unavailable(
      `the diffusion paper preset (64 px, about 37M parameters) needs a GPU backend: on ${backend.id} a step takes minutes. Train --preset shapes here, or on a GPU machine (lafite info lists the backends)`,
    );
  }
}

export const diffusionTrain: JobHandler<'diffusion-train', { step: number }> = {
  async run(input, job): Promise<DiffusionTrainResult> {
    const backend = await initBackend(job.backend);
    checkBackendFits(input.preset, backend);
    const run = family(input);
    const { loop, images, folder, pseudoRun, parameters } = await trainRun(input, job, backend, run.family);
    const autoencoder = run.autoencoder();
    return {
      family: 'diffusion',
      steps: loop.reached,
      images,
      backend: backend.id,
      seconds: loop.seconds,
      imagesPerSecond: loop.imagesPerSecond,
      losses: loop.last ?? { loss: 0 },
      folder,
      pseudoRun,
      parameters: parameters.g,
      ...(autoencoder ? { autoencoder } : {}),
    };
  },
};
