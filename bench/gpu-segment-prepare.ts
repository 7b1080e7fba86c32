/**
 * Prepares the `segment` section of `npm run bench:gpu` for a machine without ONNX Runtime (the
 * GPU machine: gpu-pack leaves native modules out): the held-out prompts
 * (resources/prompts/shapes-heldout.txt) encoded here by shapes-clip's text tower, written next
 * to the pack as `.gpu/segment-heldout.json`. Run it after `../shared/tools/gpu-pack bench/gpu.ts`.
 *
 * @example
 *   npx tsx bench/gpu-segment-prepare.ts            # writes .gpu/segment-heldout.json
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadClipOnnx } from '../main/engine/encoders/clip-onnx.ts';
import { SHAPES_CLIP_ID } from '../main/engine/shapes/clip.ts';
import { builtinModelDir, resourcesDir } from '../main/store/paths.ts';
import { HELDOUT_FEATURES_FILE, type HeldoutFeatures } from './gpu-segment.ts';

const prompts = (await readFile(join(resourcesDir(), 'prompts', 'shapes-heldout.txt'), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter(Boolean);
const encoder = await loadClipOnnx(builtinModelDir(SHAPES_CLIP_ID));
try {
  const features = await encoder.encodeTexts(prompts);
  const file: HeldoutFeatures = { model: SHAPES_CLIP_ID, promptFile: 'resources/prompts/shapes-heldout.txt', prompts, dim: features.dim, features: Array.from(features.data) };
  await mkdir(dirname(HELDOUT_FEATURES_FILE), { recursive: true });
  await writeFile(HELDOUT_FEATURES_FILE, JSON.stringify(file));
  process.stderr.write(`${prompts.length} held-out prompts (${features.dim}-d) → ${HELDOUT_FEATURES_FILE}\n`);
} finally {
  await encoder.dispose();
}
