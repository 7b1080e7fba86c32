/**
 * gan-eval's Inception figures (Lafite §4, Table 3): FID between generated and real images on
 * Inception-v3 pool3 features (engine/eval/inception-onnx.ts), FID-k with both sets blurred at
 * radius k pixels of the generator's resolution before Inception (engine/eval/blur.ts), and the
 * Inception Score of the generated images (engine/eval/inception-score.ts). Features accumulate
 * batch by batch, so neither image set is held whole. The real images are the dataset's
 * cached crops resized to the generator's resolution, as the trainer sees them: FID then
 * measures the generator against what it learnt from, not the resolution it works at.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { invalidInput, notFound } from '../contract/errors.ts';
import { fidBlur } from '../engine/eval/blur.ts';
import { frechetDistanceOfRows } from '../engine/eval/frechet.ts';
import { POOL3_DIM, type InceptionOnnx } from '../engine/eval/inception-onnx.ts';
import { inceptionScore } from '../engine/eval/inception-score.ts';
import { projectOntoJointSpan } from '../engine/eval/joint-span.ts';
import { cropPath, datasetCacheDir, type DatasetStore } from '../store/datasets.ts';
import { modelsDir } from '../store/models.ts';
import type { JobContext } from './job-kind.ts';

/** Where gan-eval looks for Inception when no file is given: DATA/models/inception/inception-v3.onnx. */
export const defaultInceptionFile = (dataDir: string): string => join(modelsDir(dataDir), 'inception', 'inception-v3.onnx');

/** The Inception file to use: the one asked for (it must exist), else the installed default, else none; FID-k needs one. */
export function inceptionFileFor(input: { inception?: string | undefined; blur: readonly number[] }, dataDir: string): string | undefined {
  if (input.inception) {
    if (!existsSync(input.inception)) throw invalidInput(`Inception model ${input.inception}: missing`, 'inception');
    return input.inception;
  }
  const installed = defaultInceptionFile(dataDir);
  if (existsSync(installed)) return installed;
  if (input.blur.length > 0) throw invalidInput(`blur: FID-k needs an Inception-v3 ONNX file: pass one (--inception FILE) or install it at ${installed}`, 'blur');
  return undefined;
}

/** Inception of one image set, batch by batch: pool3 rows per blur radius (0: unblurred), class probabilities of the unblurred images. */
export class InceptionRows {
  private readonly features = new Map<number, Float32Array[]>();
  private readonly probs: Float32Array[] = [];

  constructor(
    readonly model: InceptionOnnx,
    /** 0 (plain FID) first, then the FID-k radii. */
    readonly radii: readonly number[],
    /** Side of the square images added. */
    private readonly side: number,
  ) {
    for (const k of radii) this.features.set(k, []);
  }

  /** Square HWC RGB images of `side` pixels, through Inception once per radius. */
  async add(images: readonly Uint8Array[]): Promise<void> {
    for (const k of this.radii) {
      const input = k === 0 ? images : images.map((image) => fidBlur(image, { height: this.side, width: this.side }, k)); // σ = k px
      const out = await this.model.extract(input, this.side);
      this.features.get(k)!.push(out.features);
      if (k === 0 && out.probs) this.probs.push(out.probs);
    }
  }

  /** pool3 rows at radius k, [N, 2048]. */
  rows(k: number): Float32Array {
    return concat(this.features.get(k) ?? []);
  }

  /** Columns of `probabilities()` (0: the model has no logits). */
  get classes(): number {
    return this.model.classes;
  }

  /** p(y|x) of the unblurred images, [N, classes], when the model has logits. */
  probabilities(): Float32Array | undefined {
    return this.model.classes > 0 ? concat(this.probs) : undefined;
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The dataset's imported images through Inception: cached crops resized to `side` (as the trainer does), `batchSize` at a time. */
export async function realInceptionRows(
  rows: InceptionRows,
  where: { datasets: DatasetStore; dataDir: string; dataset: string },
  side: number,
  batchSize: number,
  job: Pick<JobContext, 'throwIfCancelled'>,
  onBatch: (done: number, total: number) => void,
): Promise<void> {
  const record = where.datasets.get(where.dataset);
  if (!record) throw notFound(`no dataset '${where.dataset}': see \`lafite dataset list\``);
  const cache = datasetCacheDir(where.dataDir, where.dataset);
  const images = where.datasets.importedImages(where.dataset);
  for (let start = 0; start < images.length; start += batchSize) {
    job.throwIfCancelled();
    const batch = await Promise.all(
      images.slice(start, start + batchSize).map(async (image) => {
        const raw = await sharp(cropPath(cache, record.imageSize, image.sha256))
          .resize(side, side, { fit: 'fill' })
          .removeAlpha()
          .raw()
          .toBuffer();
        if (raw.length !== side * side * 3) throw invalidInput(`the cached crop of ${image.path} is not RGB: import the dataset again`, 'dataset');
        return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      }),
    );
    await rows.add(batch);
    onBatch(Math.min(images.length, start + batchSize), images.length);
  }
}

/**
 * fid and fid<k> (generated against real), inceptionScore and inceptionScoreStd of the generated
 * images (with logits). `beforeEach` runs before each distance (a cancel check: one takes minutes
 * when the two sets have more than 2048 rows together).
 */
export function inceptionMetrics(generated: InceptionRows, real: InceptionRows, beforeEach: () => void = () => undefined): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const k of generated.radii) {
    beforeEach();
    const { a, b, dim } = projectOntoJointSpan(generated.rows(k), real.rows(k), POOL3_DIM); // the same d² in ≤ N1 + N2 − 1 dims
    metrics[k === 0 ? 'fid' : `fid${k}`] = frechetDistanceOfRows(a, b, dim, { epsilon: 0 }).distance; // exact without pytorch-fid's ε, as fdClip
  }
  const probs = generated.probabilities();
  if (probs) {
    const score = inceptionScore(probs, generated.classes); // 10 splits, as the papers
    metrics.inceptionScore = score.mean;
    metrics.inceptionScoreStd = score.std;
  }
  return metrics;
}
