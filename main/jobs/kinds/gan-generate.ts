/**
 * Job kind `gan-generate`: images from a trained run, as Lafite generates at inference:
 * x = G_ema(z, h), noise fixed, output in [−1, 1] written as PNGs, with h = n(f_txt(prompt)),
 * or, with an image, h = n((1 − mix)·n(f_txt) + mix·n(f_img)): image plus text conditioning
 * (Lafite Figure 6: the picture gives the content, the prompt changes it). A diffusion run
 * (issue 16) draws through the same job: its EMA UNet with DDIM or DDPM and classifier-free
 * guidance (`steps`, `sampler`, `eta`, `guidance`; jobs/run-generator.ts dispatches on the run's kind).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { GenerateResult } from '../../contract/index.ts';
import { invalidInput } from '../../contract/errors.ts';
import { trainingRun } from '../run-records.ts';
import { decodeForEncoder } from '../../datasets/import-file.ts';
import { initBackend } from '../../engine/backend.ts';
import { unitVector } from '../../engine/rows.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { JobStore } from '../../store/jobs.ts';
import { ModelStore } from '../../store/models.ts';
import { CachedEncoder } from '../dataset-features.ts';
import { writeImages } from '../generated-images.ts';
import { generationSettings } from '../png-settings.ts';
import type { JobHandler, JobInput } from '../job-kind.ts';
import { generatedFolder } from '../run-files.ts';
import { findGenerator, loadRunImageSource } from '../run-generator.ts';

type Input = JobInput<'gan-generate'>;

/** The feature of the conditioning image, through the embedding cache (keyed by content). */
async function imageFeature(encoder: CachedEncoder, path: string): Promise<Float32Array> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw invalidInput(`cannot read the image ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, 'image');
  });
  const key = createHash('sha256').update(bytes).digest('hex');
  const load = async () => {
    try {
      return { kind: 'raw' as const, ...(await decodeForEncoder(bytes)) };
    } catch (error) {
      throw invalidInput(`cannot use the image ${path}: ${(error as Error).message}`, 'image');
    }
  };
  return (await encoder.images([{ key, load }])).features.data;
}

/** h for the request (one row): the prompt's feature, the image's, or their mix. */
async function condition(input: Input, encoder: CachedEncoder): Promise<{ data: Float32Array; dim: number }> {
  const dim = encoder.model.dim;
  const text = input.prompt !== undefined ? unitVector((await encoder.texts([input.prompt])).data) : undefined;
  const image = input.image !== undefined ? unitVector(await imageFeature(encoder, input.image)) : undefined;
  if (!image) return { data: text!, dim };
  if (!text) return { data: image, dim };
  const mixed = text.map((t, i) => (1 - input.mix) * t + input.mix * image[i]!);
  return { data: unitVector(mixed), dim };
}

export const ganGenerate: JobHandler<'gan-generate'> = {
  async run(input, job): Promise<GenerateResult> {
    await initBackend(job.backend);
    const db = openDatabase(job.dbPath);
    try {
      const run = trainingRun(new JobStore(db), input.run);
      const trainInput = run.input;
      const kept = await findGenerator(job.dataDir, input.run, input.step);
      const { step } = kept;
      const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), trainInput.model);
      try {
        job.progress({ fraction: 0.1, message: `encoding the ${input.image ? (input.prompt ? 'prompt and image' : 'image') : 'prompt'}` });
        const h1 = await condition(input, encoder);
        job.progress({ fraction: 0.3, message: `drawing ${input.n} images` });
        const source = await loadRunImageSource(kept, run, h1.dim); // G_ema, or the diffusion run's EMA UNet and sampler
        const started = performance.now();
        const h = tf.tidy(() => tf.tile(tf.tensor2d(h1.data, [1, h1.dim]), [input.n, 1]) as tf.Tensor2D);
        const images = await source
          .draw(
            h,
            { z: input.seed, noise: input.seed },
            { ...input, progress: (done, total) => job.progress({ fraction: 0.3 + (0.6 * done) / total, message: `denoising: step ${done} of ${total}`, step: done, total }) },
          )
          .finally(() => {
            h.dispose();
            source.dispose();
          });
        await images.data(); // generation ends when the pixels exist
        const msPerImage = (performance.now() - started) / input.n;
        job.progress({ fraction: 0.9, message: 'writing PNGs' });
        const out = input.out ?? generatedFolder(job.dataDir, input.run, job.jobId);
        await mkdir(out, { recursive: true });
        const drawnStep = step || ((run.result as { steps?: number } | null)?.steps ?? 0); // a built-in run's checkpoint records no step: its result does
        const facts = { generation: job.jobId, run: input.run, step: drawnStep, family: run.kind === 'diffusion-train' ? 'diffusion' : 'gan', train: trainInput, input };
        const files = await writeImages(out, `seed${input.seed}`, images, (index, size) => generationSettings(facts, index, size));
        images.dispose();
        return { run: input.run, prompt: input.prompt ?? null, files, msPerImage, step: drawnStep };
      } finally {
        await encoder.dispose();
      }
    } finally {
      db.close();
    }
  },
};
