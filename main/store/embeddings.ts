/**
 * The embedding cache: features stored with the database, keyed by encoder id and content
 * (an image's sha256, or the text itself), so nothing is encoded twice. Vectors are float32
 * BLOBs; the store never sees tensors, only Float32Arrays.
 */
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

export type EmbeddingKind = 'image' | 'text';

const toBlob = (vector: Float32Array): Buffer => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
const fromBlob = (blob: Buffer, dim: number): Float32Array => {
  // Copy: SQLite's buffer may not be 4-byte aligned.
  const out = new Float32Array(dim);
  new Uint8Array(out.buffer).set(blob.subarray(0, dim * 4));
  return out;
};

export class EmbeddingStore {
  constructor(private readonly db: Db) {}

  /** The cached vectors among `keys` (missing keys are absent from the map). */
  getMany(modelId: string, kind: EmbeddingKind, keys: readonly string[]): Map<string, Float32Array> {
    const found = new Map<string, Float32Array>();
    const select = this.db.prepare('SELECT key, dim, vector FROM embeddings WHERE model_id = ? AND kind = ? AND key = ?');
    for (const key of keys) {
      const row = select.get(modelId, kind, key) as { key: string; dim: number; vector: Buffer } | undefined;
      if (row) found.set(row.key, fromBlob(row.vector, row.dim));
    }
    return found;
  }

  /** Which of `keys` are not cached yet, in order, without duplicates. */
  missing(modelId: string, kind: EmbeddingKind, keys: readonly string[]): string[] {
    const has = this.db.prepare('SELECT 1 FROM embeddings WHERE model_id = ? AND kind = ? AND key = ?');
    return [...new Set(keys)].filter((key) => !has.get(modelId, kind, key));
  }

  /** Stores vectors in one transaction (a batch is all there or not at all). */
  putMany(modelId: string, kind: EmbeddingKind, entries: ReadonlyArray<readonly [string, Float32Array]>): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO embeddings (model_id, kind, key, dim, vector, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    writeTransaction(this.db, () => {
      for (const [key, vector] of entries) insert.run(modelId, kind, key, vector.length, toBlob(vector), now);
    });
  }

  count(modelId: string, kind?: EmbeddingKind): number {
    const row = (
      kind
        ? this.db.prepare('SELECT count(*) AS n FROM embeddings WHERE model_id = ? AND kind = ?').get(modelId, kind)
        : this.db.prepare('SELECT count(*) AS n FROM embeddings WHERE model_id = ?').get(modelId)
    ) as { n: number };
    return row.n;
  }

  /**
   * Keeps the cache true to the model's files: when they changed since the cached vectors were
   * made (a new built-in shapes-clip, a re-exported folder), drops the model's vectors and the
   * pseudo features computed from them, in one transaction. Returns whether anything was dropped.
   *
   * A change is judged by content, not by the files' times: `stat` (names, sizes, times) is
   * cheap and decides when it matches the stored one; otherwise `content()` (their hash) does, so
   * a second checkout of the app or an update that rewrites the same files keeps the cache.
   * Stored as `stat:content`; a row from before holds the stat alone.
   */
  syncModelVersion(modelId: string, stat: string, content: () => string): boolean {
    return writeTransaction(this.db, () => {
      const row = this.db.prepare('SELECT fingerprint FROM model_versions WHERE model_id = ?').get(modelId) as { fingerprint: string } | undefined;
      const [storedStat, storedContent] = row ? row.fingerprint.split(':') : [];
      if (storedStat === stat && storedContent !== undefined) return false;
      const hash = content();
      const same = storedStat === stat || (storedContent !== undefined && storedContent === hash);
      const stale = !same && (row !== undefined || this.count(modelId) > 0); // rows from before versions were kept count as stale
      if (stale) {
        this.removeModel(modelId);
        this.db.prepare('DELETE FROM pseudo_runs WHERE model_id = ?').run(modelId);
      }
      this.db.prepare('INSERT OR REPLACE INTO model_versions (model_id, fingerprint, updated_at) VALUES (?, ?, ?)').run(modelId, `${stat}:${hash}`, new Date().toISOString());
      return stale;
    });
  }

  /** Drops every vector of a model (when the model is removed or replaced). */
  removeModel(modelId: string): number {
    this.db.prepare('DELETE FROM model_versions WHERE model_id = ?').run(modelId);
    return this.db.prepare('DELETE FROM embeddings WHERE model_id = ?').run(modelId).changes;
  }
}
