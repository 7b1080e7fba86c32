/**
 * Pseudo text features of a dataset (`pseudo_runs`, `pseudo_features`): one run per method
 * and configuration, its id the hash of that configuration and of the dataset's images, so
 * the same synthesis is stored once and a changed one is a new version. Retrieval rows keep
 * prompts and scores (their vectors are in the embedding cache, keyed by the prompt);
 * Gaussian, NN and CLO rows keep their vectors.
 */
import type { PseudoRunRecord } from '../contract/index.ts';
import type { Db } from './db.ts';
import { writeTransaction } from './transaction.ts';

export type PseudoMethod = 'gaussian' | 'nn' | 'retrieval' | 'clo';

export interface PseudoRunRow {
  id: string;
  datasetId: string;
  method: PseudoMethod;
  modelId: string;
  config: Record<string, unknown>;
  stats: unknown;
  summary: unknown;
  complete: boolean;
  createdAt: string;
}

export interface PseudoFeatureRow {
  imageId: number;
  rank: number;
  prompt: string | null;
  score: number;
  vector: Float32Array | null;
}

interface RawRun {
  id: string;
  dataset_id: string;
  method: PseudoMethod;
  model_id: string;
  config: string;
  stats: string | null;
  summary: string | null;
  complete: number;
  created_at: string;
}

const toRun = (row: RawRun): PseudoRunRow => ({
  id: row.id,
  datasetId: row.dataset_id,
  method: row.method,
  modelId: row.model_id,
  config: JSON.parse(row.config) as Record<string, unknown>,
  stats: row.stats ? (JSON.parse(row.stats) as unknown) : null,
  summary: row.summary ? (JSON.parse(row.summary) as unknown) : null,
  complete: row.complete === 1,
  createdAt: row.created_at,
});

const toBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const fromBlob = (b: Buffer): Float32Array => {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
};

export class PseudoStore {
  constructor(private readonly db: Db) {}

  get(id: string): PseudoRunRow | undefined {
    const row = this.db.prepare('SELECT * FROM pseudo_runs WHERE id = ?').get(id) as RawRun | undefined;
    return row && toRun(row);
  }

  /** The runs of a dataset, newest first. */
  list(datasetId: string): PseudoRunRow[] {
    return (this.db.prepare('SELECT * FROM pseudo_runs WHERE dataset_id = ? ORDER BY created_at DESC, rowid DESC').all(datasetId) as RawRun[]).map(toRun);
  }

  /** Starts a run afresh: an incomplete earlier attempt of the same configuration is replaced. */
  begin(run: { id: string; datasetId: string; method: PseudoMethod; modelId: string; config: Record<string, unknown> }): void {
    writeTransaction(this.db, () => {
      this.db.prepare('DELETE FROM pseudo_runs WHERE id = ?').run(run.id);
      this.db
        .prepare('INSERT INTO pseudo_runs (id, dataset_id, method, model_id, config, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(run.id, run.datasetId, run.method, run.modelId, JSON.stringify(run.config), new Date().toISOString());
    });
  }

  /** Stores features in one transaction. */
  putFeatures(runId: string, rows: readonly PseudoFeatureRow[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO pseudo_features (run_id, image_id, rank, prompt, score, vector) VALUES (?, ?, ?, ?, ?, ?)');
    writeTransaction(this.db, () => {
      for (const r of rows) insert.run(runId, r.imageId, r.rank, r.prompt, r.score, r.vector ? toBlob(r.vector) : null);
    });
  }

  finish(runId: string, stats: unknown, summary: unknown): void {
    this.db.prepare('UPDATE pseudo_runs SET stats = ?, summary = ?, complete = 1 WHERE id = ?').run(JSON.stringify(stats), JSON.stringify(summary), runId);
  }

  /** Features of a run, by image (in image id order), each image's ranks in order; `maxRank` limits them. */
  features(runId: string, options: { imageIds?: readonly number[]; maxRank?: number } = {}): PseudoFeatureRow[] {
    const maxRank = options.maxRank ?? 1_000_000;
    const rows = options.imageIds
      ? options.imageIds.flatMap((id) => this.db.prepare('SELECT * FROM pseudo_features WHERE run_id = ? AND image_id = ? AND rank < ? ORDER BY rank').all(runId, id, maxRank))
      : this.db.prepare('SELECT * FROM pseudo_features WHERE run_id = ? AND rank < ? ORDER BY image_id, rank').all(runId, maxRank);
    return (rows as { image_id: number; rank: number; prompt: string | null; score: number; vector: Buffer | null }[]).map((r) => ({
      imageId: r.image_id,
      rank: r.rank,
      prompt: r.prompt,
      score: r.score,
      vector: r.vector ? fromBlob(r.vector) : null,
    }));
  }
}

/** A run as the API shows it. */
export function toPseudoRunRecord(run: PseudoRunRow): PseudoRunRecord {
  return {
    id: run.id,
    dataset: run.datasetId,
    method: run.method as PseudoRunRecord['method'],
    model: run.modelId,
    config: run.config,
    stats: run.stats as PseudoRunRecord['stats'],
    summary: run.summary as PseudoRunRecord['summary'],
    complete: run.complete,
    createdAt: run.createdAt,
  };
}
