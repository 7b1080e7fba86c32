/** Trained perturbation networks on disk (dataDir/perturbation/<name>.json), without loading TensorFlow.js. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../engine/durable-file.ts';
import { invalidInput } from '../contract/errors.ts';
import type { PerturbationFile } from '../engine/pseudo/perturbation-nn.ts';

/** Where trained perturbation networks live. */
export const perturbationPath = (dataDir: string, name: string): string => join(dataDir, 'perturbation', `${name}.json`);

/** Writes JSON whole and fsynced: a crash leaves the old file or the new one. */
export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await writeFileDurably(path, JSON.stringify(value));
}

export async function readPerturbationFile(dataDir: string, name: string): Promise<PerturbationFile> {
  const path = perturbationPath(dataDir, name);
  if (!existsSync(path)) throw invalidInput(`no trained perturbation network '${name}': train one with \`lafite pseudo train-nn --dataset D --name ${name}\``, 'nn');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as PerturbationFile;
  } catch {
    throw invalidInput(`perturbation network '${name}' (${path}) is damaged: train it again with \`lafite pseudo train-nn --name ${name}\``, 'nn');
  }
}
