/**
 * Job kind `gan-generate`: images from a trained run for a prompt, as Lafite generates at
 * inference: x = G_ema(z, n(f_txt(prompt))), noise fixed, output in [−1, 1] written as PNGs.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { invalidInput, notFound } from '../../api/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { restoreCheckpoint } from '../../engine/gan/checkpoint.ts';
import { Generator } from '../../engine/gan/generator.ts';
import { PRESETS } from '../../engine/gan/presets.ts';
import { l2Normalise } from '../../engine/pseudo/gaussian.ts';
import { tfSeed } from '../../engine/random.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { JobStore } from '../../store/jobs.ts';
import { ModelStore } from '../../store/models.ts';
import { CachedEncoder } from '../dataset-features.ts';
import type { JobHandler, JobInput } from '../job-kind.ts';
import { checkpointFile, runFolder } from './gan-train.ts';

export const ganGenerate: JobHandler<'gan-generate'> = {
  async run(input, job) {
    await initBackend(job.backend);
    const db = openDatabase(job.dbPath);
    try {
      const run = new JobStore(db).get(input.run);
      if (!run || run.kind !== 'gan-train') throw notFound(`no training run '${input.run}': see \`lafite jobs list\``);
      const trainInput = run.input as JobInput<'gan-train'>;
      const file = checkpointFile(runFolder(job.dataDir, input.run));
      if (!existsSync(file)) throw invalidInput(`run ${input.run} has no checkpoint yet: let it train past its first checkpoint`, 'run');
      const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), trainInput.model);
      try {
        const text = await encoder.texts([input.prompt]);
        const g = new Generator(PRESETS[trainInput.preset], { textDim: text.dim, seed: 0 });
        await restoreCheckpoint(file, { networks: { g_ema: g.namedVariables() }, optimizers: {} });
        const images = tf.tidy(() => {
          const h = tf.tile(l2Normalise(tf.tensor2d(text.data, [1, text.dim])), [input.n, 1]) as tf.Tensor2D; // h = n(f_txt(prompt))
          const z = tf.randomNormal([input.n, g.options.zDim], 0, 1, 'float32', tfSeed(input.seed)) as tf.Tensor2D;
          const x = g.generate(z, h, { truncation: input.truncation, noiseSeed: input.seed });
          return tf.cast(tf.clipByValue(tf.mul(tf.add(x, 1), 127.5), 0, 255), 'int32');
        });
        const n = input.n;
        const r = PRESETS[trainInput.preset].resolution;
        const data = Uint8Array.from(await images.data());
        images.dispose();
        await mkdir(input.out, { recursive: true });
        const files: string[] = [];
        for (let i = 0; i < n; i++) {
          const path = join(input.out, `seed${input.seed}-${i}.png`);
          await sharp(Buffer.from(data.subarray(i * r * r * 3, (i + 1) * r * r * 3)), { raw: { width: r, height: r, channels: 3 } }).png().toFile(path);
          files.push(path);
        }
        g.dispose();
        return { run: input.run, prompt: input.prompt, files };
      } finally {
        await encoder.dispose();
      }
    } finally {
      db.close();
    }
  },
};
