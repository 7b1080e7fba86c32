/**
 * Caption files, read into one list of (image name, caption) entries whatever shape they
 * came in, and those names matched to a dataset's images. Shapes read:
 *
 *   json   [{"image": "a.jpg", "caption": "…"}, …]  or  {"a.jpg": "…" | ["…", …], …}
 *          or Karpathy's split file {"images": [{"filename": "a.jpg", "sentences": [{"raw": "…"}]}]}
 *   jsonl  one {"image": …, "caption": …} object per line
 *   csv    a header row naming an image and a caption column; TSV and `;` detected from it
 *   coco   {"images": [{"id", "file_name"}], "annotations": [{"image_id", "caption"}]}
 *
 * Problems with the file are `invalid_input` errors that name the file and the place
 * (line, item, column); a raw parser error never escapes.
 *
 * @example
 *   const { format, entries, skipped } = parseCaptionFile(text, 'auto', 'captions.csv');
 *   const { matched, unmatched } = matchImageNames(entries, [{ id: 1, path: 'birds/a.jpg' }]);
 */
import { extname } from 'node:path';
import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import type { CaptionFormat } from '../contract/index.ts';
import { UNSAFE_TEXT_CHARS } from '../contract/schemas.ts';
import { invalidInput } from '../contract/errors.ts';

/** Captions longer than this (after collapsing whitespace) are skipped: no text encoder reads that far. */
export const MAX_CAPTION_CHARS = 1000;

/** Keys (JSON) and column names (CSV) that name the image, in order of preference. */
export const IMAGE_KEYS = ['image', 'file', 'file_name', 'filename', 'path', 'img', 'image_path'] as const;
/** Keys that hold the caption (a string or a list; `sentences` may hold `{raw}` objects). */
export const CAPTION_KEYS = ['caption', 'text', 'captions', 'sentences'] as const;
/** CSV column names that hold the caption. */
export const CAPTION_COLUMNS = ['caption', 'text', 'captions'] as const;

export type CaptionFileFormat = Exclude<CaptionFormat, 'auto'>;

/** One caption for one image (an image with several captions has several entries). */
export interface CaptionEntry {
  image: string;
  caption: string;
}

export interface ParsedCaptionFile {
  format: CaptionFileFormat;
  entries: CaptionEntry[];
  /** Entries left out: empty captions or image names, captions over MAX_CAPTION_CHARS, COCO annotations of an image id not listed. */
  skipped: number;
  /** Why each skipped entry was left out, counted by reason. */
  skippedReasons: Record<string, number>;
}

type JsonObject = Record<string, unknown>;

/** Gathers entries, normalising names and captions and counting what it leaves out. */
class EntryCollector {
  readonly entries: CaptionEntry[] = [];
  skipped = 0;
  readonly reasons: Record<string, number> = {};

  /** Leaves an entry out, counting why. */
  skip(reason: string): void {
    this.skipped += 1;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
  }

  add(image: string, caption: string): void {
    const name = normaliseImageName(image);
    const text = normaliseCaption(caption);
    if (name === '') this.skip('no image name');
    else if (text === '') this.skip('empty caption');
    else if (text.length > MAX_CAPTION_CHARS) this.skip(`caption longer than ${MAX_CAPTION_CHARS} characters`);
    else this.entries.push({ image: name, caption: text });
  }
}

/** `.\\photos\\a.jpg` → `photos/a.jpg`. */
export const normaliseImageName = (name: string): string =>
  name
    .trim()
    .replaceAll('\\', '/')
    .replace(/^(\.\/)+/, '');
/** Trimmed, every run of whitespace (newlines included) one space. */
/** One line of plain text: controls become spaces and direction overrides go (they would print raw or reorder what is shown). */
export const normaliseCaption = (caption: string): string =>
  caption
    .replace(new RegExp(UNSAFE_TEXT_CHARS.source, 'gu'), (char) => (/\p{Cc}/u.test(char) ? ' ' : ''))
    .replace(/\s+/g, ' ')
    .trim();

export function parseCaptionFile(text: string, format: CaptionFormat, fileName: string): ParsedCaptionFile {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw invalidInput(`${fileName} is empty`, 'file');
  const out = new EntryCollector();
  let read: CaptionFileFormat = format === 'auto' ? formatFromName(fileName) : format;
  if (read === 'jsonl') readJsonLines(body, fileName, out);
  else if (read === 'csv') readCsv(body, fileName, out);
  else {
    const doc = parseJson(body, fileName);
    if (format === 'auto' && isCocoShaped(doc)) read = 'coco';
    if (read === 'coco') readCoco(doc, fileName, out);
    else readJson(doc, fileName, out);
  }
  if (out.entries.length === 0 && out.skipped === 0) throw invalidInput(`${fileName} holds no captions`, 'file');
  return { format: read, entries: out.entries, skipped: out.skipped, skippedReasons: out.reasons };
}

function formatFromName(fileName: string): CaptionFileFormat {
  const extension = extname(fileName).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.csv' || extension === '.tsv') return 'csv';
  if (extension === '.json') return 'json';
  throw invalidInput(`cannot tell the format of ${fileName} from its extension: name it .json, .jsonl, .csv or .tsv, or choose a format (json, jsonl, csv, coco)`, 'format');
}

// --- JSON and JSON Lines -------------------------------------------------------------

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const where = position ? ` at ${lineAndColumn(text, Number(position[1]))}` : '';
    const hint = message.includes('after JSON') ? ' (if it holds one object per line, name it .jsonl or choose format jsonl)' : '';
    throw invalidInput(`${fileName}: invalid JSON${where}: ${jsonErrorDetail(message)}${hint}`, 'file');
  }
}

/** V8's message without the position (given separately) or the echo of the text. */
const jsonErrorDetail = (message: string): string => message.replace(/ (in JSON )?at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function readJsonLines(text: string, fileName: string, out: EntryCollector): void {
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw invalidInput(`${fileName} line ${index + 1}: invalid JSON: ${jsonErrorDetail(error instanceof Error ? error.message : String(error))}`, 'file');
    }
    readRecord(record, `${fileName} line ${index + 1}`, out);
  });
}

function readJson(doc: unknown, fileName: string, out: EntryCollector): void {
  if (Array.isArray(doc)) {
    doc.forEach((record, index) => readRecord(record, `${fileName} item ${index + 1}`, out));
  } else if (isObject(doc) && Array.isArray(doc.images)) {
    if (Array.isArray(doc.annotations)) throw invalidInput(`${fileName} holds COCO captions (images and annotations): choose format coco or auto`, 'format');
    if (Object.hasOwn(doc, 'annotations'))
      throw invalidInput(`${fileName}: 'annotations' must be a list of {image_id, caption} (COCO captions), found ${describe(doc.annotations)}`, 'file');
    doc.images.forEach((record, index) => readRecord(record, `${fileName} images item ${index + 1}`, out));
  } else if (isObject(doc)) {
    for (const [image, value] of Object.entries(doc)) {
      const where = `${fileName} key '${image}'`;
      if (isObject(value)) for (const caption of captionsOfRecord(value, where)) out.add(image, caption);
      else for (const caption of captionValues(value, where)) out.add(image, caption);
    }
  } else {
    throw invalidInput(`${fileName}: expected a list of {image, caption} objects or an object mapping image names to captions, found ${describe(doc)}`, 'file');
  }
}

/** One `{image, caption}` object: a JSON list item, a JSONL line. */
function readRecord(record: unknown, where: string, out: EntryCollector): void {
  if (!isObject(record)) throw invalidInput(`${where}: expected an object with an image and a caption, found ${describe(record)}`, 'file');
  const imageKey = IMAGE_KEYS.find((key) => Object.hasOwn(record, key));
  if (imageKey === undefined) throw invalidInput(`${where}: no image key (expected one of ${IMAGE_KEYS.join(', ')}; found ${keysOf(record)})`, 'file');
  const image = record[imageKey];
  if (typeof image !== 'string') throw invalidInput(`${where}: '${imageKey}' must be a string, found ${describe(image)}`, 'file');
  for (const caption of captionsOfRecord(record, where)) out.add(image, caption);
}

function captionsOfRecord(record: JsonObject, where: string): string[] {
  const captionKey = CAPTION_KEYS.find((key) => Object.hasOwn(record, key));
  if (captionKey === undefined) throw invalidInput(`${where}: no caption key (expected one of ${CAPTION_KEYS.join(', ')}; found ${keysOf(record)})`, 'file');
  return captionValues(record[captionKey], `${where} '${captionKey}'`);
}

/** A caption, a list of them, or a list of `{raw}` sentences; null reads as an empty caption (skipped). */
function captionValues(value: unknown, where: string): string[] {
  const one = (item: unknown): string => {
    if (typeof item === 'string') return item;
    if (item === null) return '';
    if (isObject(item) && typeof item.raw === 'string') return item.raw;
    throw invalidInput(`${where}: a caption must be a string (or a {raw} sentence), found ${describe(item)}`, 'file');
  };
  return Array.isArray(value) ? value.map(one) : [one(value)];
}

// --- COCO ----------------------------------------------------------------------------

function isCocoShaped(doc: unknown): doc is JsonObject & { images: unknown[]; annotations: unknown[] } {
  return isObject(doc) && Array.isArray(doc.images) && Array.isArray(doc.annotations);
}

function readCoco(doc: unknown, fileName: string, out: EntryCollector): void {
  if (!isCocoShaped(doc)) {
    const found = isObject(doc) ? `keys ${keysOf(doc)}` : describe(doc);
    throw invalidInput(`${fileName} is not COCO captions: expected an object with 'images' and 'annotations' lists, found ${found}`, 'file');
  }
  const names = new Map<string, string>();
  doc.images.forEach((image, index) => {
    if (!isObject(image) || !isId(image.id) || typeof image.file_name !== 'string') {
      throw invalidInput(`${fileName} images item ${index + 1}: expected {id, file_name}, found ${isObject(image) ? `keys ${keysOf(image)}` : describe(image)}`, 'file');
    }
    names.set(String(image.id), image.file_name);
  });
  doc.annotations.forEach((annotation, index) => {
    if (!isObject(annotation) || !isId(annotation.image_id) || !(typeof annotation.caption === 'string' || annotation.caption === null)) {
      throw invalidInput(
        `${fileName} annotations item ${index + 1}: expected {image_id, caption}, found ${isObject(annotation) ? `keys ${keysOf(annotation)}` : describe(annotation)}`,
        'file',
      );
    }
    const image = names.get(String(annotation.image_id));
    if (image === undefined) out.skip('annotation of an image id the file does not list');
    else out.add(image, annotation.caption ?? '');
  });
}

const isId = (value: unknown): value is number | string => typeof value === 'number' || typeof value === 'string';

// --- CSV and TSV ---------------------------------------------------------------------

function readCsv(text: string, fileName: string, out: EntryCollector): void {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = header.includes('\t') ? '\t' : !header.includes(',') && header.includes(';') ? ';' : ',';
  let rows: string[][];
  try {
    rows = parseCsv(text, { delimiter, relax_quotes: true, skip_empty_lines: true, skip_records_with_empty_values: true });
  } catch (error) {
    if (error instanceof CsvError) throw invalidInput(`${fileName}: ${error.message}`, 'file');
    throw error;
  }
  const columns = (rows[0] ?? []).map((name) => name.trim().toLowerCase());
  const imageColumn = findColumn(columns, IMAGE_KEYS);
  const captionColumn = findColumn(columns, CAPTION_COLUMNS);
  const found = columns.length === 0 ? 'nothing' : looksLikeColumnNames(columns) ? columns.join(', ') : `a first line of ${columns.length} fields that are not column names`;
  if (imageColumn < 0) throw invalidInput(`${fileName}: no image column (expected a header row naming one of ${IMAGE_KEYS.join(', ')}; found ${found})`, 'file');
  if (captionColumn < 0) throw invalidInput(`${fileName}: no caption column (expected a header row naming one of ${CAPTION_COLUMNS.join(', ')}; found ${found})`, 'file');
  for (const row of rows.slice(1)) out.add(row[imageColumn] ?? '', row[captionColumn] ?? '');
}

/**
 * Whether a first line reads as column names, which an error may repeat to help. Anything else
 * (a line of a file that was never a caption file: settings, keys, an environment) is not
 * repeated: the API's errors do not show a file's contents.
 */
const looksLikeColumnNames = (columns: readonly string[]): boolean => columns.length <= 32 && columns.every((name) => /^[\p{L}\p{N} _.()-]{1,40}$/u.test(name));

const findColumn = (columns: string[], names: readonly string[]): number => names.map((name) => columns.indexOf(name)).find((index) => index >= 0) ?? -1;

// --- Shared --------------------------------------------------------------------------

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const keysOf = (record: JsonObject): string => {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no keys';
  return keys.length > 12 ? `${keys.slice(0, 12).join(', ')}, …` : keys.join(', ');
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

// --- Matching names to images --------------------------------------------------------

export interface NameMatches {
  /** One per entry that named an image, with the caption text. */
  matched: { imageId: number; text: string }[];
  /** The image name of each entry that named none (repeated when the image has several captions). */
  unmatched: string[];
}

/**
 * Matches entries to images by name, case-sensitively, trying in turn: the exact relative
 * path; the path's ending (`a/b.jpg` → `x/a/b.jpg`); an image path with a folder that the
 * name ends with (`/data/coco/train/b.jpg` → `train/b.jpg`); the base name alone. A name
 * that fits several images at the first rule that fits any stays unmatched, as does a base
 * name several images share.
 */
export function matchImageNames(entries: readonly CaptionEntry[], targets: readonly { id: number; path: string }[]): NameMatches {
  const resolve = nameResolver(targets);
  const cache = new Map<string, number | undefined>();
  const result: NameMatches = { matched: [], unmatched: [] };
  for (const entry of entries) {
    if (!cache.has(entry.image)) cache.set(entry.image, resolve(entry.image));
    const imageId = cache.get(entry.image);
    if (imageId === undefined) result.unmatched.push(entry.image);
    else result.matched.push({ imageId, text: entry.caption });
  }
  return result;
}

function nameResolver(targets: readonly { id: number; path: string }[]): (name: string) => number | undefined {
  const byPath = new Map(targets.map((target) => [target.path, target.id]));
  const byEnding = new Map<string, number[]>(); // every ending after a '/': `x/a/b.jpg` → `a/b.jpg`, `b.jpg`
  const byBase = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, id: number): void => {
    const ids = map.get(key);
    if (ids) ids.push(id);
    else map.set(key, [id]);
  };
  for (const { id, path } of targets) {
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) push(byEnding, path.slice(slash + 1), id);
    push(byBase, baseName(path), id);
  }
  const unique = (ids: number[] | undefined): number | undefined => (ids?.length === 1 ? ids[0] : undefined);
  return (name) => {
    const exact = byPath.get(name);
    if (exact !== undefined) return exact;
    const ending = byEnding.get(name);
    if (ending !== undefined) return unique(ending);
    // Longest first; an ending without a folder is a base name, left to the last rule.
    for (let slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
      const rest = name.slice(slash + 1);
      if (!rest.includes('/')) break;
      const id = byPath.get(rest);
      if (id !== undefined) return id;
    }
    return unique(byBase.get(baseName(name)));
  };
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
