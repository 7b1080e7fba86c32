/**
 * Job kind `model-eval`: zero-shot accuracy of an installed encoder on held-out ShapesWorld
 * renders (color and shape), and its modality-gap figures, through the same loading code
 * and preprocessing every encoder uses (encoders/clip-onnx.ts).
 */
import type { ModelEvalResult } from '../../contract/index.ts';
import { notFound } from '../../contract/errors.ts';
import { loadClipOnnx } from '../../engine/encoders/clip-onnx.ts';
import type { ImageSource } from '../../engine/encoders/encoder.ts';
import { shapesZeroShot } from '../../engine/shapes/clip-eval.ts';
import { openDatabase } from '../../store/db.ts';
import { ModelStore } from '../../store/models.ts';
import type { JobHandler } from '../job-kind.ts';

function modelPath(dbPath: string, id: string): string {
  const db = openDatabase(dbPath);
  try {
    const model = new ModelStore(db).get(id);
    if (!model) throw notFound(`no model '${id}': see \`lafite model list\``);
    return model.path;
  } finally {
    db.close();
  }
}

export const modelEval: JobHandler<'model-eval'> = {
  async run(input, job) {
    const started = performance.now();
    const encoder = await loadClipOnnx(modelPath(job.dbPath, input.model), { id: input.model });
    try {
      job.progress({ fraction: 0.05, message: `rendering and encoding ${input.n} held-out ShapesWorld images` });
      const asSources = (pixels: Uint8Array[], size: number): ImageSource[] => pixels.map((data) => ({ kind: 'raw', data, width: size, height: size, channels: 3 }));
      const report = await shapesZeroShot(
        (pixels, size) => encoder.encodeImages(asSources(pixels, size), { signal: job.signal }),
        (texts) => encoder.encodeTexts(texts, { signal: job.signal }),
        { seed: input.seed, n: input.n, size: input.size },
      );
      job.progress({ fraction: 1, message: `color ${report.colorAccuracy.toFixed(3)}, shape ${report.shapeAccuracy.toFixed(3)}` });
      const result: ModelEvalResult = { model: input.model, seed: input.seed, imageSize: input.size, seconds: (performance.now() - started) / 1000, ...report };
      return result;
    } finally {
      await encoder.dispose();
    }
  },
};
