/**
 * Training checkpoints: every network's named variables and every optimizer's state (Adam's
 * moments, in the order of its variables) in one file, written whole or not at all (a
 * fsynced temporary file renamed into place), so a run killed at any moment resumes from the
 * last one. Reading verifies the file: a cut or damaged one is refused with a message, never
 * loaded with zeros where its data is missing.
 *
 * File: "LAFITECK" · uint32 header length · JSON header {entries, state, dataBytes, sha256} ·
 * float32 data (dataBytes bytes, whose sha256 the header holds; checkpoints written before
 * the checksum have neither field and are checked for sizes only).
 *
 * @example
 *   await writeCheckpoint(file, { networks: { g: g.namedVariables(), d: d.namedVariables() }, optimizers: { g: gOpt }, state: { step } });
 *   const state = await restoreCheckpoint(file, { networks: {…}, optimizers: {…} });
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { LafiteError } from '../../contract/errors.ts';
import { writeFileDurably } from '../durable-file.ts';
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
  /** Bytes of float32 data after the header (absent in checkpoints from before the checksum). */
  dataBytes?: number;
  /** Hex sha256 of those bytes. */
  sha256?: string;
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
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const dataBytes = Buffer.from(data.buffer);
  const sha256 = createHash('sha256').update(dataBytes).digest('hex');
  const header = Buffer.from(JSON.stringify({ entries, state: parts.state, dataBytes: dataBytes.length, sha256 } satisfies Header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  await writeFileDurably(path, Buffer.concat([Buffer.from(MAGIC), length, header, dataBytes]));
}

/** A checkpoint file that is not whole: cut short, overwritten, or not a checkpoint. */
const damaged = (path: string, why: string): LafiteError =>
  new LafiteError('conflict', `checkpoint ${path} is damaged (${why}): it cannot be loaded; resume from an earlier copy or start the run again`);

/** The header, checked against the file: every entry inside the data, the data's length and checksum as written. */
function verifiedHeader(file: Buffer, path: string): { header: Header; dataStart: number } {
  const start = MAGIC.length + 4;
  if (file.length < start || file.subarray(0, MAGIC.length).toString() !== MAGIC) throw damaged(path, 'not a Lafite checkpoint');
  const headerLength = file.readUInt32LE(MAGIC.length);
  if (start + headerLength > file.length) throw damaged(path, `its header runs past the end of the file (${file.length} bytes)`);
  let header: Header;
  try {
    header = JSON.parse(file.subarray(start, start + headerLength).toString()) as Header;
  } catch {
    throw damaged(path, 'its header is not valid JSON');
  }
  if (!Array.isArray(header.entries)) throw damaged(path, 'its header lists no entries');
  const dataStart = start + headerLength;
  const dataBytes = file.length - dataStart;
  if (header.dataBytes !== undefined && header.dataBytes !== dataBytes) {
    throw damaged(path, `${dataBytes} bytes of data where ${header.dataBytes} were written`);
  }
  for (const entry of header.entries) {
    const fits = Number.isInteger(entry.offset) && Number.isInteger(entry.length) && entry.offset >= 0 && entry.length >= 0;
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (!fits || size !== entry.length || (entry.offset + entry.length) * 4 > dataBytes) throw damaged(path, `entry ${entry.key} lies outside its ${dataBytes} bytes of data`);
  }
  if (header.sha256 !== undefined && createHash('sha256').update(file.subarray(dataStart)).digest('hex') !== header.sha256) {
    throw damaged(path, 'its data does not match the checksum written with it');
  }
  return { header, dataStart };
}

async function readCheckpoint(path: string): Promise<{ header: Header; values: (entry: Entry) => Float32Array }> {
  const file = await readFile(path);
  const { header, dataStart } = verifiedHeader(file, path);
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

/** Every tensor a checkpoint holds, by key (`network/variable`, `optimizer/slot`), with its shape. */
export async function listCheckpointEntries(path: string): Promise<Array<{ key: string; shape: number[] }>> {
  return (await readCheckpoint(path)).header.entries.map((entry) => ({ key: entry.key, shape: [...entry.shape] }));
}
