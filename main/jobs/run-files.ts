/**
 * Where a training run keeps its files under the data folder:
 * `runs/<job>/checkpoint.bin`, `runs/<job>/samples/step-NNNNNNN.png` (+ `labels.json`, what each
 * column of the grids shows), and `runs/<job>/generated/<generation job>/` for the Playground.
 */
import { join } from 'node:path';

export const SAMPLES_FOLDER = 'samples';

export const runFolder = (dataDir: string, jobId: string): string => join(dataDir, 'runs', jobId);
export const checkpointFile = (folder: string): string => join(folder, 'checkpoint.bin');
export const sampleFile = (folder: string, step: number): string => join(folder, SAMPLES_FOLDER, `step-${String(step).padStart(7, '0')}.png`);
export const sampleLabelsFile = (folder: string): string => join(folder, SAMPLES_FOLDER, 'labels.json');
export const generatedFolder = (dataDir: string, runId: string, generationId: string): string => join(runFolder(dataDir, runId), 'generated', generationId);
