/** Trained perturbation networks on disk (dataDir/perturbation/<name>.json), without loading TensorFlow.js. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { invalidInput } from '../api/errors.ts';
import type { PerturbationFile } from '../engine/pseudo/perturbation-nn.ts';

/** Where trained perturbation networks live. */
export const perturbationPath = (dataDir: string, name: string): string => join(dataDir, 'perturbation', `${name}.json`);

export async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

export async function readPerturbationFile(dataDir: string, name: string): Promise<PerturbationFile> {
  const path = perturbationPath(dataDir, name);
  if (!existsSync(path)) throw invalidInput(`no trained perturbation network '${name}': train one with \`lafite pseudo train-nn --dataset D --name ${name}\``, 'nn');
  return JSON.parse(await readFile(path, 'utf8')) as PerturbationFile;
}

