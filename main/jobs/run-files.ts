/**
 * Where a training run keeps its files under the data folder:
 * `runs/<job>/checkpoint.bin` (everything a resume needs), `runs/<job>/snapshots/step-NNNNNNN.bin`
 * (G_ema alone at each checkpoint: what generation and evaluation at a past step read),
 * `runs/<job>/samples/step-NNNNNNN.png` (+ `labels.json`, what each column of the grids shows),
 * `runs/<job>/generated/<generation job>/` for the Playground, and for a latent diffusion run its
 * first stage: `runs/<job>/autoencoder.bin` (the autoencoder and its scale factor; during its
 * phase, the phase's checkpoint) and `runs/<job>/autoencoder.png` (originals over reconstructions).
 */
import { join } from 'node:path';

export const SAMPLES_FOLDER = 'samples';

export const runFolder = (dataDir: string, jobId: string): string => join(dataDir, 'runs', jobId);
export const checkpointFile = (folder: string): string => join(folder, 'checkpoint.bin');
/** A latent diffusion run's autoencoder, beside its checkpoint (generation reads the decoder from here). */
export const autoencoderFile = (folder: string): string => join(folder, 'autoencoder.bin');
export const autoencoderGridFile = (folder: string): string => join(folder, 'autoencoder.png');
export const SNAPSHOTS_FOLDER = 'snapshots';
const stepName = (step: number): string => `step-${String(step).padStart(7, '0')}`;
export const snapshotFile = (folder: string, step: number): string => join(folder, SNAPSHOTS_FOLDER, `${stepName(step)}.bin`);
/** Steps of the files named `step-NNNNNNN.<ext>` among `names`, ascending. */
export const stepsOf = (names: readonly string[], ext: string): number[] =>
  names
    .map((name) => new RegExp(`^step-(\\d{7,})\\.${ext}$`).exec(name)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
export const sampleFile = (folder: string, step: number): string => join(folder, SAMPLES_FOLDER, `${stepName(step)}.png`);
export const sampleLabelsFile = (folder: string): string => join(folder, SAMPLES_FOLDER, 'labels.json');
export const generatedFolder = (dataDir: string, runId: string, generationId: string): string => join(runFolder(dataDir, runId), 'generated', generationId);
