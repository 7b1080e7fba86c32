/**
 * Job kind `pseudo-train-nn`: trains Lafite's trainable perturbation (eq. 2) on a dataset's
 * image–caption pairs, maximising cos(h', h). The network is saved under
 * dataDir/perturbation/<name>.json (atomically), with a checkpoint every 250 steps that a
 * resumed job continues from.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { invalidInput } from '../../contract/errors.ts';
import { initBackend } from '../../engine/backend.ts';
import { mulberry32 } from '../../engine/random.ts';
import { gatherRows } from '../../engine/rows.ts';
import { PerturbationNet, type PerturbationFile } from '../../engine/pseudo/perturbation-nn.ts';
import { DatasetStore } from '../../store/datasets.ts';
import { openDatabase } from '../../store/db.ts';
import { EmbeddingStore } from '../../store/embeddings.ts';
import { ModelStore } from '../../store/models.ts';
import { CachedEncoder, datasetImageItems } from '../dataset-features.ts';
import type { JobHandler } from '../job-kind.ts';
import { perturbationPath, writeJsonAtomically } from '../perturbation-files.ts';

const CHECKPOINT_STEPS = 250;

interface State {
  step: number;
}

export const pseudoTrainNn: JobHandler<'pseudo-train-nn', State> = {
  async run(input, job) {
    await initBackend(job.backend);
    const db = openDatabase(job.dbPath);
    const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
    const partial = `${perturbationPath(job.dataDir, input.name)}.partial`;
    try {
      const datasets = new DatasetStore(db);
      const pairs = datasets.captionPairs(input.dataset);
      if (pairs.length < 2)
        throw invalidInput(`dataset '${input.dataset}' has ${pairs.length} image–caption pairs: import captions first (\`lafite dataset captions\`)`, 'dataset');
      job.progress({ fraction: 0, message: `features of ${pairs.length} image–caption pairs` });
      const items = new Map(datasetImageItems(datasets, job.dataDir, input.dataset).map((item) => [item.key, item]));
      const images = await encoder.images(
        pairs.map((p) => items.get(p.sha256)!),
        { signal: job.signal },
      );
      const texts = await encoder.texts(
        pairs.map((p) => p.text),
        { signal: job.signal },
      );
      const dim = images.features.dim;

      const resumed = job.resumeState && existsSync(partial) ? (JSON.parse(await readFile(partial, 'utf8')) as PerturbationFile) : undefined;
      const net = resumed ? PerturbationNet.fromFile(resumed) : PerturbationNet.create({ dim, hidden: input.hidden, seed: input.seed, learningRate: input.learningRate });
      let step = resumed ? resumed.training.steps : 0;
      const rng = mulberry32(input.seed + step);
      let recent = 0;
      const started = performance.now();
      try {
        for (; step < input.steps; step++) {
          job.throwIfCancelled();
          const batch = Array.from({ length: Math.min(input.batchSize, pairs.length) }, () => Math.floor(rng() * pairs.length));
          const gather = (data: Float32Array): tf.Tensor2D => gatherRows(data, dim, batch, [dim]) as tf.Tensor2D;
          const [f, h] = [gather(images.features.data), gather(texts.data)];
          const cosine = await net.trainStep(f, h, { seed: input.seed * 1_000_003 + step });
          tf.dispose([f, h]);
          recent = step === 0 ? cosine : 0.98 * recent + 0.02 * cosine;
          if ((step + 1) % CHECKPOINT_STEPS === 0 || step + 1 === input.steps) {
            await writeJsonAtomically(partial, await net.toFile(input.model, { steps: step + 1, meanCosine: recent, pairs: pairs.length }));
            job.checkpoint({ step: step + 1 });
          }
          if (step % 20 === 0) {
            const rate = (step + 1 - (resumed?.training.steps ?? 0)) / ((performance.now() - started) / 1000);
            job.progress({
              fraction: (step + 1) / input.steps,
              message: `step ${step + 1} of ${input.steps}: mean cos(h′, h) ${recent.toFixed(3)}`,
              step: step + 1,
              total: input.steps,
              metrics: { meanCosine: recent, stepsPerSecond: rate },
            });
          }
        }
        const file = await net.toFile(input.model, { steps: input.steps, meanCosine: recent, pairs: pairs.length });
        await writeJsonAtomically(perturbationPath(job.dataDir, input.name), file);
        return { name: input.name, model: input.model, pairs: pairs.length, steps: input.steps, meanCosine: recent, seconds: (performance.now() - started) / 1000 };
      } finally {
        net.dispose();
      }
    } finally {
      await encoder.dispose();
      db.close();
    }
  },
};
