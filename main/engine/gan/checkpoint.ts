/**
 * Training checkpoints: every network's named variables and every optimizer's state (Adam's
 * moments, in the order of its variables) in one file, written whole or not at all (a
 * temporary file renamed into place), so a run killed at any moment resumes from the last one.
 *
 * File: "LAFITECK" · uint32 header length · JSON header {entries, state} · float32 data.
 *
 * @example
 *   await writeCheckpoint(file, { networks: { g: g.namedVariables(), d: d.namedVariables() }, optimizers: { g: gOpt }, state: { step } });
 *   const state = await restoreCheckpoint(file, { networks: {…}, optimizers: {…} });
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from './layers.ts';

const MAGIC = 'LAFITECK';

interface Entry {
  /** `network/variable` or `optimizer:name/index`. */
  key: string;
  shape: number[];
  /** Offset and length in float32 values. */
  offset: number;
  length: number;
}

interface Header {
  entries: Entry[];
  state: unknown;
}

export interface CheckpointParts {
  networks: Record<string, NamedVariables>;
  optimizers: Record<string, tf.Optimizer>;
}

export async function writeCheckpoint(path: string, parts: CheckpointParts & { state: unknown }): Promise<void> {
  const entries: Entry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = async (key: string, tensor: tf.Tensor): Promise<void> => {
    const values = (await tensor.data()) as Float32Array;
    entries.push({ key, shape: tensor.shape, offset, length: values.length });
    chunks.push(Float32Array.from(values));
    offset += values.length;
  };
  for (const [network, variables] of Object.entries(parts.networks)) for (const [name, variable] of variables) await add(`${network}/${name}`, variable);
  for (const [name, optimizer] of Object.entries(parts.optimizers)) {
    const weights = await optimizer.getWeights();
    for (const [index, weight] of weights.entries()) await add(`optimizer:${name}/${index}`, weight.tensor);
  }
  const header = Buffer.from(JSON.stringify({ entries, state: parts.state } satisfies Header));
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  await writeFile(temporary, Buffer.concat([Buffer.from(MAGIC), length, header, Buffer.from(data.buffer)]));
  await rename(temporary, path);
}

async function readCheckpoint(path: string): Promise<{ header: Header; values: (entry: Entry) => Float32Array }> {
  const file = await readFile(path);
  if (file.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error(`${path} is not a Lafite checkpoint`);
  const headerLength = file.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(file.subarray(start, start + headerLength).toString()) as Header;
  const dataStart = start + headerLength;
  const values = (entry: Entry): Float32Array => {
    const out = new Float32Array(entry.length);
    new Uint8Array(out.buffer).set(file.subarray(dataStart + entry.offset * 4, dataStart + (entry.offset + entry.length) * 4));
    return out;
  };
  return { header, values };
}

/** Loads a checkpoint into the given networks and optimizers; returns its saved state. */
export async function restoreCheckpoint(path: string, parts: CheckpointParts): Promise<unknown> {
  const { header, values } = await readCheckpoint(path);
  const byKey = new Map(header.entries.map((entry) => [entry.key, entry]));
  for (const [network, variables] of Object.entries(parts.networks)) {
    for (const [name, variable] of variables) {
      const entry = byKey.get(`${network}/${name}`);
      if (!entry || entry.shape.join('x') !== variable.shape.join('x')) throw new Error(`checkpoint ${path}: ${network}/${name} is missing or has another shape (another preset?)`);
      variable.assign(tf.tensor(values(entry), entry.shape));
    }
  }
  for (const [name, optimizer] of Object.entries(parts.optimizers)) {
    const weights = header.entries
      .filter((entry) => entry.key.startsWith(`optimizer:${name}/`))
      .sort((a, b) => Number(a.key.split('/')[1]) - Number(b.key.split('/')[1]))
      .map((entry, index) => ({ name: `${name}/${index}`, tensor: tf.tensor(values(entry), entry.shape) }));
    if (weights.length > 0) await optimizer.setWeights(weights);
  }
  return header.state;
}

/** The stored values of some entries (`network/name`), for comparing checkpoints. */
export async function readCheckpointValues(path: string, keys: readonly string[]): Promise<Map<string, Float32Array>> {
  const { header, values } = await readCheckpoint(path);
  const byKey = new Map(header.entries.map((entry) => [entry.key, entry]));
  return new Map(
    keys.map((key) => {
      const entry = byKey.get(key);
      if (!entry) throw new Error(`checkpoint ${path} has no ${key}`);
      return [key, values(entry)];
    }),
  );
}

/** Only the saved state of a checkpoint (the step, the loss history). */
export async function readCheckpointState(path: string): Promise<unknown> {
  return (await readCheckpoint(path)).header.state;
}
