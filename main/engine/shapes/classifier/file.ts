/**
 * The classifier's weights file (resources/models/shapes-classifier/classifier.bin): save and
 * read, with a sha256 of the weight bytes so that a damaged file fails loudly instead of
 * judging attribute accuracy with wrong weights. Apart from the network because the format
 * (magic, JSON header, float32 data, checksum) is a contract with shipped files, not a layer.
 *
 * @example
 *   await saveClassifier(classifier, '/tmp/classifier.bin', { steps: 4000 });
 *   const loaded = await loadClassifier('/tmp/classifier.bin');
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { invalidInput } from '../../../contract/errors.ts';
import { writeFileDurably } from '../../durable-file.ts';
import { COLOR_NAMES, SHAPE_NAMES } from '../attributes.ts';
import { CLASSIFIER_SIZE, classifierFromWeights, weightShapes, type ShapesClassifier } from './network.ts';

/** The shipped classifier: resources/models/<id>/<file>. */
export const SHAPES_CLASSIFIER_ID = 'shapes-classifier';
export const CLASSIFIER_FILE = 'classifier.bin';

/**
 * File layout: "LSC1", header length L (uint32 LE), L bytes of JSON header, zero padding to a
 * multiple of 4, then every weight as float32 LE in header order.
 */
const MAGIC = 'LSC1';
const FORMAT = 'lafite-shapes-classifier';

/** What a weights file says about itself and its training. */
export type ClassifierMeta = Record<string, string | number>;

interface FileHeader {
  format: typeof FORMAT;
  version: 1;
  inputSize: number;
  shapes: readonly string[];
  colors: readonly string[];
  weights: Array<{ name: string; shape: number[] }>;
  meta: ClassifierMeta;
  /** Hex sha256 of the weight bytes (files written before it have none, and are checked for sizes only). */
  sha256?: string;
}

/** Writes the weights (and `meta`, and their checksum) to `path` atomically: a fsynced temporary file, then a rename. */
export async function saveClassifier(classifier: ShapesClassifier, path: string, meta: ClassifierMeta = {}): Promise<void> {
  const names = weightShapes();
  const data: Buffer<ArrayBufferLike>[] = [];
  for (const v of classifier.variables()) {
    const values = (await v.data()) as Float32Array;
    data.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  const sha256 = createHash('sha256').update(Buffer.concat(data)).digest('hex');
  const header: FileHeader = {
    format: FORMAT,
    version: 1,
    inputSize: CLASSIFIER_SIZE,
    shapes: SHAPE_NAMES,
    colors: COLOR_NAMES,
    weights: names.map(([name, shape]) => ({ name, shape })),
    meta,
    sha256,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8 + json.length + ((4 - (json.length % 4)) % 4));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, 4);
  json.copy(prefix, 8);
  await writeFileDurably(path, Buffer.concat([prefix, ...data]));
}

/** A weights file's header, checked against this build's architecture and label tables. */
function parseHeader(bytes: Buffer<ArrayBufferLike>, path: string): { header: FileHeader; dataOffset: number } {
  const bad = (why: string) => invalidInput(`${path} is not a shapes classifier weights file of this version: ${why}`, 'path');
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) throw bad('wrong magic bytes');
  const length = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + length)) as FileHeader;
  if (header.format !== FORMAT || header.version !== 1 || header.inputSize !== CLASSIFIER_SIZE) throw bad('format, version or input size differ');
  if (header.shapes.join() !== SHAPE_NAMES.join() || header.colors.join() !== COLOR_NAMES.join()) throw bad('shape or color tables differ');
  const expected = weightShapes()
    .map(([name, shape]) => `${name}:${shape}`)
    .join();
  if (header.weights.map((w) => `${w.name}:${w.shape}`).join() !== expected) throw bad('the architecture differs');
  return { header, dataOffset: 8 + length + ((4 - (length % 4)) % 4) };
}

/** The weights and meta of a file written by saveClassifier. */
export async function readClassifierFile(path: string): Promise<{ weights: Map<string, Float32Array>; meta: ClassifierMeta }> {
  const bytes = await readFile(path);
  const { header, dataOffset } = parseHeader(bytes, path);
  const weights = new Map<string, Float32Array>();
  let offset = dataOffset;
  for (const { name, shape } of header.weights) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * size > bytes.length) throw invalidInput(`${path} is truncated (at weight ${name})`, 'path');
    weights.set(name, new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * size)));
    offset += 4 * size;
  }
  if (offset !== bytes.length) throw invalidInput(`${path} has ${bytes.length - offset} bytes past its last weight`, 'path');
  if (header.sha256 !== undefined && createHash('sha256').update(bytes.subarray(dataOffset)).digest('hex') !== header.sha256) {
    throw invalidInput(`${path} is damaged: its weights do not match the checksum written with them`, 'path');
  }
  return { weights, meta: header.meta };
}

/** A classifier from a file written by saveClassifier. */
export async function loadClassifier(path: string): Promise<ShapesClassifier> {
  return classifierFromWeights((await readClassifierFile(path)).weights);
}
