/**
 * Does a generator trained on ShapesWorld draw the color a prompt asks for? For each of the 8
 * object colors, `--n` pictures for prompts "a <color> <shape>" (shapes in turn, seeds 0…n−1);
 * each picture's color is the object color covering the most pixels (engine/shapes/color-check.ts).
 * Prints JSON: accuracy overall and per color, against chance (1/8).
 *
 *   npx tsx scripts/eval-shapes-colors.ts --data-dir DIR --run RUN [--n 16]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { JobInput } from '../main/jobs/job-kind.ts';
import { initBackend } from '../main/engine/backend.ts';
import { restoreCheckpoint } from '../main/engine/gan/checkpoint.ts';
import { Generator } from '../main/engine/gan/generator.ts';
import { PRESETS } from '../main/engine/gan/presets.ts';
import { l2Normalise } from '../main/engine/normalise.ts';
import { tfSeed } from '../main/engine/random.ts';
import { COLORS, SHAPES, type ColorName } from '../main/engine/shapes/attributes.ts';
import { dominantObjectColor } from '../main/engine/shapes/color-check.ts';
import { CachedEncoder } from '../main/jobs/dataset-features.ts';
import { checkpointFile, runFolder } from '../main/jobs/run-files.ts';
import { openDatabase } from '../main/store/db.ts';
import { EmbeddingStore } from '../main/store/embeddings.ts';
import { JobStore } from '../main/store/jobs.ts';
import { ModelStore } from '../main/store/models.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, run: { type: 'string' }, n: { type: 'string', default: '16' } } });
const dataDir = values['data-dir'];
const runId = values.run;
if (!dataDir || !runId) throw new Error('usage: eval-shapes-colors.ts --data-dir DIR --run RUN [--n 16]');
const n = Number(values.n);

await initBackend();
const db = openDatabase(join(dataDir, 'lafite.db'));
const run = new JobStore(db).get(runId);
if (!run || run.kind !== 'gan-train') throw new Error(`no training run ${runId}`);
const input = run.input as JobInput<'gan-train'>;
const encoder = CachedEncoder.open(new ModelStore(db), new EmbeddingStore(db), input.model);
const shapes = Object.values(SHAPES).map((s) => s.word);
const colors = Object.keys(COLORS) as ColorName[];
const prompts = colors.flatMap((color) => Array.from({ length: n }, (_, i) => ({ color, prompt: `a ${color} ${shapes[i % shapes.length]}`, seed: i })));
const text = await encoder.texts(prompts.map((p) => p.prompt));
const g = new Generator(PRESETS[input.preset], { textDim: text.dim, seed: 0 });
await restoreCheckpoint(checkpointFile(runFolder(dataDir, runId)), { networks: { g_ema: g.namedVariables() }, optimizers: {} });
const r = PRESETS[input.preset].resolution;
const perColor = Object.fromEntries(colors.map((c) => [c, 0])) as Record<ColorName, number>;
for (let start = 0; start < prompts.length; start += 32) {
  const batch = prompts.slice(start, start + 32);
  const pixels = tf.tidy(() => {
    const h = l2Normalise(tf.tensor2d(text.data.slice(start * text.dim, (start + batch.length) * text.dim), [batch.length, text.dim]));
    const z = tf.randomNormal([batch.length, g.options.zDim], 0, 1, 'float32', tfSeed(start + 1)) as tf.Tensor2D;
    return tf.cast(tf.clipByValue(tf.mul(tf.add(g.generate(z, h, { noiseSeed: 0 }), 1), 127.5), 0, 255), 'int32');
  });
  const data = await pixels.data();
  pixels.dispose();
  batch.forEach((p, i) => {
    if (dominantObjectColor(data.subarray(i * r * r * 3, (i + 1) * r * r * 3)) === p.color) perColor[p.color] += 1;
  });
}
const total = Object.values(perColor).reduce((a, b) => a + b, 0);
process.stdout.write(
  `${JSON.stringify({ run: runId, preset: input.preset, pseudo: input.pseudo, steps: input.steps, images: prompts.length, colorAccuracy: total / prompts.length, chance: 1 / colors.length, perColor: Object.fromEntries(colors.map((c) => [c, perColor[c] / n])) }, null, 2)}\n`,
);
await encoder.dispose();
db.close();
