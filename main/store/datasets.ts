/**
 * Queries on datasets: the `datasets`, `images` and `captions` tables. A dataset is the
 * images of one folder; every file considered gets a row (imported, rejected with its reason,
 * a duplicate, or excluded), so a re-run knows what it has seen and the user sees why.
 * The store knows rows and hashes, never pixels: pictures live in the on-disk cache
 * (`datasetCacheDir`), named by content.
 */
import { join } from 'node:path';
import type { DatasetCounts, DatasetImage, DatasetImageDetail, DatasetRecord, ImageStatus, Split } from '../contract/index.ts';
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

/** Where a dataset's thumbnails and crops are cached: `dataDir/datasets/<id>/`. */
export const datasetCacheDir = (dataDir: string, datasetId: string): string => join(dataDir, 'datasets', datasetId);
/** Cached pictures are named by content, so duplicates share one file and a re-run rewrites nothing. */
export const thumbnailPath = (cacheDir: string, sha256: string): string => join(cacheDir, 'thumbs', sha256.slice(0, 2), `${sha256}.webp`);
export const cropPath = (cacheDir: string, size: number, sha256: string): string => join(cacheDir, `crops-${size}`, sha256.slice(0, 2), `${sha256}.png`);

interface DatasetRow {
  id: string;
  folder: string;
  image_size: number;
  min_size: number;
  split: string | null;
  few_shot: string | null;
  created_at: string;
  updated_at: string;
}

interface ImageRow {
  id: number;
  path: string;
  status: ImageStatus;
  reason: string | null;
  duplicate_of: number | null;
  bytes: number;
  sha256: string | null;
  md5: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  split: Split | null;
  few_shot: number;
  captions: number;
}

/** What the importer learnt about one file. */
export interface SeenFile {
  path: string;
  bytes: number;
  mtimeMs: number;
  status: 'imported' | 'rejected';
  reason?: string;
  sha256?: string;
  md5?: string;
  format?: string;
  width?: number;
  height?: number;
}

/** A filter on a dataset's images (the UI's filters, `lafite dataset show --status`). */
export interface ImageFilter {
  status?: ImageStatus;
  captioned?: boolean;
  split?: Split;
  fewShot?: boolean;
}

const IMAGE_COLUMNS = `i.id, i.path, i.status, i.reason, i.duplicate_of, i.bytes, i.sha256, i.md5, i.format, i.width, i.height, i.split, i.few_shot,
  (SELECT count(*) FROM captions c WHERE c.image_id = i.id) AS captions`;

function toImage(row: ImageRow): DatasetImage {
  return {
    id: row.id,
    path: row.path,
    status: row.status,
    reason: row.reason,
    duplicateOf: row.duplicate_of,
    bytes: row.bytes,
    sha256: row.sha256,
    md5: row.md5,
    format: row.format,
    width: row.width,
    height: row.height,
    split: row.split,
    fewShot: row.few_shot === 1,
    captions: row.captions,
  };
}

function filterSql(filter: ImageFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const where = (clause: string, param: unknown): void => {
    clauses.push(clause);
    params.push(param);
  };
  if (filter.status) where('i.status = ?', filter.status);
  if (filter.split) where('i.split = ?', filter.split);
  if (filter.fewShot !== undefined) where('i.few_shot = ?', filter.fewShot ? 1 : 0);
  if (filter.captioned !== undefined) clauses.push(`${filter.captioned ? '' : 'NOT '}EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id)`);
  return { where: clauses.map((c) => ` AND ${c}`).join(''), params };
}

export class DatasetStore {
  constructor(private readonly db: Db) {}

  list(): DatasetRecord[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
    return rows.map((row) => this.toRecord(row));
  }

  get(id: string): DatasetRecord | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    return row && this.toRecord(row);
  }

  /** Creates the dataset, or returns the existing one (the caller checks it is the same folder). */
  ensure(input: { id: string; folder: string; imageSize: number; minSize: number }): DatasetRecord {
    const now = new Date().toISOString();
    this.db
      .prepare('INSERT OR IGNORE INTO datasets (id, folder, image_size, min_size, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.id, input.folder, input.imageSize, input.minSize, now, now);
    return this.get(input.id)!;
  }

  remove(id: string): number {
    return writeTransaction(this.db, () => {
      const images = this.db.prepare('SELECT count(*) AS n FROM images WHERE dataset_id = ?').get(id) as { n: number };
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
      return images.n;
    });
  }

  counts(id: string): DatasetCounts {
    const byStatus = this.db.prepare('SELECT status, count(*) AS n FROM images WHERE dataset_id = ? GROUP BY status').all(id) as { status: ImageStatus; n: number }[];
    const n = (status: ImageStatus): number => byStatus.find((row) => row.status === status)?.n ?? 0;
    const usable = this.db
      .prepare(
        `SELECT
           sum(split = 'train') AS train, sum(split = 'val') AS val, sum(few_shot) AS fewShot,
           sum(EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id)) AS captioned,
           (SELECT count(*) FROM captions c JOIN images j ON j.id = c.image_id WHERE j.dataset_id = ? AND j.status = 'imported') AS captions
         FROM images i WHERE dataset_id = ? AND status = 'imported'`,
      )
      .get(id, id) as Record<'train' | 'val' | 'fewShot' | 'captioned' | 'captions', number | null>;
    return {
      files: byStatus.reduce((sum, row) => sum + row.n, 0),
      imported: n('imported'),
      rejected: n('rejected'),
      duplicate: n('duplicate'),
      excluded: n('excluded'),
      captioned: usable.captioned ?? 0,
      captions: usable.captions ?? 0,
      train: usable.train ?? 0,
      val: usable.val ?? 0,
      fewShot: usable.fewShot ?? 0,
    };
  }

  /** `path → {bytes, mtimeMs}` of every file seen before, so a re-run skips what has not changed. */
  seenFiles(id: string): Map<string, { bytes: number; mtimeMs: number }> {
    const rows = this.db.prepare('SELECT path, bytes, mtime_ms FROM images WHERE dataset_id = ?').all(id) as { path: string; bytes: number; mtime_ms: number }[];
    return new Map(rows.map((row) => [row.path, { bytes: row.bytes, mtimeMs: row.mtime_ms }]));
  }

  /**
   * Records a batch of files in one transaction: all of it lands or none. An imported file whose
   * sha256 an earlier imported image of the dataset already has becomes a `duplicate` of it.
   * Returns how many of each status were written.
   */
  recordFiles(id: string, files: readonly SeenFile[]): Record<'imported' | 'rejected' | 'duplicate', number> {
    const counts = { imported: 0, rejected: 0, duplicate: 0 };
    const original = this.db.prepare("SELECT id, path FROM images WHERE dataset_id = ? AND sha256 = ? AND status = 'imported' AND path <> ? ORDER BY id LIMIT 1");
    const upsert = this.db.prepare(
      `INSERT INTO images (dataset_id, path, bytes, mtime_ms, status, reason, duplicate_of, sha256, md5, format, width, height, seen_at)
       VALUES (@dataset, @path, @bytes, @mtimeMs, @status, @reason, @duplicateOf, @sha256, @md5, @format, @width, @height, @now)
       ON CONFLICT (dataset_id, path) DO UPDATE SET
         bytes = excluded.bytes, mtime_ms = excluded.mtime_ms, status = excluded.status, reason = excluded.reason,
         duplicate_of = excluded.duplicate_of, sha256 = excluded.sha256, md5 = excluded.md5, format = excluded.format,
         width = excluded.width, height = excluded.height, split = NULL, few_shot = 0, seen_at = excluded.seen_at`,
    );
    const now = new Date().toISOString();
    writeTransaction(this.db, () => {
      for (const file of files) {
        const first = file.status === 'imported' && file.sha256 ? (original.get(id, file.sha256, file.path) as { id: number; path: string } | undefined) : undefined;
        const status = first ? 'duplicate' : file.status;
        upsert.run({
          dataset: id,
          path: file.path,
          bytes: file.bytes,
          mtimeMs: Math.round(file.mtimeMs),
          status,
          reason: first ? `the same file as ${first.path} (sha256)` : (file.reason ?? null),
          duplicateOf: first?.id ?? null,
          sha256: file.sha256 ?? null,
          md5: file.md5 ?? null,
          format: file.format ?? null,
          width: file.width ?? null,
          height: file.height ?? null,
          now,
        });
        counts[status] += 1;
      }
      this.touch(id);
    });
    return counts;
  }

  images(id: string, filter: ImageFilter, offset: number, limit: number): { total: number; images: DatasetImage[] } {
    const { where, params } = filterSql(filter);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM images i WHERE i.dataset_id = ?${where}`).get(id, ...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${IMAGE_COLUMNS} FROM images i WHERE i.dataset_id = ?${where} ORDER BY i.path LIMIT ? OFFSET ?`)
      .all(id, ...params, limit, offset) as ImageRow[];
    return { total, images: rows.map(toImage) };
  }

  image(id: string, imageId: number): DatasetImageDetail | undefined {
    const row = this.db.prepare(`SELECT ${IMAGE_COLUMNS} FROM images i WHERE i.dataset_id = ? AND i.id = ?`).get(id, imageId) as ImageRow | undefined;
    if (!row) return undefined;
    const captionTexts = this.db.prepare('SELECT id, text, source FROM captions WHERE image_id = ? ORDER BY id').all(imageId) as DatasetImageDetail['captionTexts'];
    return { ...toImage(row), captionTexts };
  }

  /** sha256 of the given images of a dataset (those that have one). */
  hashesOf(id: string, imageIds: readonly number[]): Map<number, string> {
    const select = this.db.prepare('SELECT sha256 FROM images WHERE dataset_id = ? AND id = ? AND sha256 IS NOT NULL');
    const found = new Map<number, string>();
    for (const imageId of imageIds) {
      const row = select.get(id, imageId) as { sha256: string } | undefined;
      if (row) found.set(imageId, row.sha256);
    }
    return found;
  }

  /** The imported images, in path order, with what training and encoding need. */
  importedImages(id: string): { id: number; path: string; sha256: string }[] {
    return this.db.prepare("SELECT id, path, sha256 FROM images WHERE dataset_id = ? AND status = 'imported' ORDER BY path").all(id) as {
      id: number;
      path: string;
      sha256: string;
    }[];
  }

  /** Ids of the imported images that pass a filter (a training subset: the split, the few-shot pairs). */
  importedIds(id: string, filter: Omit<ImageFilter, 'status'>): number[] {
    const { where, params } = filterSql(filter);
    return (this.db.prepare(`SELECT i.id FROM images i WHERE i.dataset_id = ? AND i.status = 'imported'${where} ORDER BY i.path`).all(id, ...params) as { id: number }[]).map(
      (row) => row.id,
    );
  }

  /** Every image of the dataset with a name to match captions against: `path` and the ids. */
  captionTargets(id: string): { id: number; path: string; status: ImageStatus; duplicateOf: number | null }[] {
    return (
      this.db.prepare('SELECT id, path, status, duplicate_of FROM images WHERE dataset_id = ?').all(id) as {
        id: number;
        path: string;
        status: ImageStatus;
        duplicate_of: number | null;
      }[]
    ).map((row) => ({ id: row.id, path: row.path, status: row.status, duplicateOf: row.duplicate_of }));
  }

  /** Adds captions in one transaction; a caption an image already has is not added twice. Returns how many were added. */
  addCaptions(id: string, captions: ReadonlyArray<{ imageId: number; text: string }>, source: string): { added: number; images: number } {
    const insert = this.db.prepare('INSERT OR IGNORE INTO captions (image_id, text, source) VALUES (?, ?, ?)');
    const images = new Set<number>();
    let added = 0;
    writeTransaction(this.db, () => {
      for (const caption of captions) {
        if (insert.run(caption.imageId, caption.text, source).changes > 0) {
          added += 1;
          images.add(caption.imageId);
        }
      }
      this.touch(id);
    });
    return { added, images: images.size };
  }

  /**
   * One caption of image `imageId` of dataset `id` added, edited or removed, in one transaction
   * that keeps what depends on captions right: an image left without any leaves the few-shot
   * subset (its pairs are image–caption pairs). `conflict` when the image has that text
   * already; `missing` when the image or caption is not there.
   */
  editCaption(
    id: string,
    imageId: number,
    change: { action: 'add'; text: string } | { action: 'edit'; caption: number; text: string } | { action: 'remove'; caption: number },
  ): 'done' | 'conflict' | 'missing' {
    return writeTransaction(this.db, () => {
      const image = this.db.prepare('SELECT id FROM images WHERE id = ? AND dataset_id = ?').get(imageId, id);
      if (!image) return 'missing';
      if (change.action !== 'add' && !this.db.prepare('SELECT id FROM captions WHERE id = ? AND image_id = ?').get(change.caption, imageId)) return 'missing';
      if (change.action !== 'remove') {
        const same = this.db.prepare('SELECT id FROM captions WHERE image_id = ? AND text = ?').get(imageId, change.text) as { id: number } | undefined;
        if (same && (change.action === 'add' || same.id !== change.caption)) return 'conflict';
      }
      if (change.action === 'add') this.db.prepare("INSERT INTO captions (image_id, text, source) VALUES (?, ?, 'typed in the app')").run(imageId, change.text);
      else if (change.action === 'edit') this.db.prepare("UPDATE captions SET text = ?, source = 'edited in the app' WHERE id = ?").run(change.text, change.caption);
      else {
        this.db.prepare('DELETE FROM captions WHERE id = ?').run(change.caption);
        const left = (this.db.prepare('SELECT count(*) AS n FROM captions WHERE image_id = ?').get(imageId) as { n: number }).n;
        if (left === 0) this.db.prepare('UPDATE images SET few_shot = 0 WHERE id = ?').run(imageId);
      }
      this.touch(id);
      return 'done';
    });
  }

  /** Sets the split of every imported image at once (others get none), and records how it was drawn. */
  setSplit(id: string, val: ReadonlySet<number>, spec: { val: number; seed: number }): void {
    writeTransaction(this.db, () => {
      this.db.prepare('UPDATE images SET split = NULL WHERE dataset_id = ?').run(id);
      const set = this.db.prepare('UPDATE images SET split = ? WHERE id = ?');
      for (const image of this.importedImages(id)) set.run(val.has(image.id) ? 'val' : 'train', image.id);
      this.db.prepare('UPDATE datasets SET split = ? WHERE id = ?').run(JSON.stringify(spec), id);
      this.touch(id);
    });
  }

  /** The imported images with at least one caption (the few-shot candidates), with their split. */
  captionedImages(id: string): { id: number; sha256: string; split: Split | null }[] {
    return this.db
      .prepare(
        "SELECT i.id, i.sha256, i.split FROM images i WHERE i.dataset_id = ? AND i.status = 'imported' AND EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id) ORDER BY i.id",
      )
      .all(id) as { id: number; sha256: string; split: Split | null }[];
  }

  /** Every (image, caption) pair of the imported images; `fewShotOnly` keeps the few-shot subset's. */
  captionPairs(id: string, options: { fewShotOnly?: boolean } = {}): { imageId: number; sha256: string; text: string }[] {
    return this.db
      .prepare(
        `SELECT i.id AS imageId, i.sha256, c.text FROM captions c JOIN images i ON i.id = c.image_id
         WHERE i.dataset_id = ? AND i.status = 'imported'${options.fewShotOnly ? ' AND i.few_shot = 1' : ''} ORDER BY i.id, c.id`,
      )
      .all(id) as { imageId: number; sha256: string; text: string }[];
  }

  setFewShot(id: string, chosen: ReadonlySet<number>, spec: { pairs: number; seed: number }): void {
    writeTransaction(this.db, () => {
      this.db.prepare('UPDATE images SET few_shot = 0 WHERE dataset_id = ?').run(id);
      const mark = this.db.prepare('UPDATE images SET few_shot = 1 WHERE id = ? AND dataset_id = ?');
      for (const imageId of chosen) mark.run(imageId, id);
      this.db.prepare('UPDATE datasets SET few_shot = ? WHERE id = ?').run(JSON.stringify(spec), id);
      this.touch(id);
    });
  }

  /** Imported images of `id` whose sha256 or MD5 also occurs among the images of `against` (any status but rejected). */
  overlapWith(id: string, against: string): { id: number; path: string; by: 'sha256' | 'md5'; otherPath: string }[] {
    const rows = this.db
      .prepare(
        `SELECT i.id, i.path,
           (SELECT o.path FROM images o WHERE o.dataset_id = @against AND o.status <> 'rejected' AND o.sha256 = i.sha256 LIMIT 1) AS bySha,
           (SELECT o.path FROM images o WHERE o.dataset_id = @against AND o.status <> 'rejected' AND o.md5 = i.md5 LIMIT 1) AS byMd5
         FROM images i WHERE i.dataset_id = @id AND i.status = 'imported'`,
      )
      .all({ id, against }) as { id: number; path: string; bySha: string | null; byMd5: string | null }[];
    return rows
      .filter((row) => row.bySha !== null || row.byMd5 !== null)
      .map((row) =>
        row.bySha !== null
          ? { id: row.id, path: row.path, by: 'sha256' as const, otherPath: row.bySha }
          : { id: row.id, path: row.path, by: 'md5' as const, otherPath: row.byMd5! },
      );
  }

  /** Marks images excluded or duplicate with a reason, in one transaction. */
  mark(id: string, marks: ReadonlyArray<{ imageId: number; status: 'excluded' | 'duplicate'; reason: string; duplicateOf?: number }>): void {
    const update = this.db.prepare(
      "UPDATE images SET status = ?, reason = ?, duplicate_of = ?, split = NULL, few_shot = 0 WHERE id = ? AND dataset_id = ? AND status = 'imported'",
    );
    writeTransaction(this.db, () => {
      for (const m of marks) update.run(m.status, m.reason, m.duplicateOf ?? null, m.imageId, id);
      this.touch(id);
    });
  }

  private touch(id: string): void {
    this.db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  private toRecord(row: DatasetRow): DatasetRecord {
    return {
      id: row.id,
      folder: row.folder,
      imageSize: row.image_size,
      minSize: row.min_size,
      counts: this.counts(row.id),
      split: row.split ? (JSON.parse(row.split) as DatasetRecord['split']) : null,
      fewShot: row.few_shot ? (JSON.parse(row.few_shot) as DatasetRecord['fewShot']) : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
