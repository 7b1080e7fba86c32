/**
 * Queries on the `models` table: the CLIP encoders the model manager knows (built in, a
 * user's folder referenced in place, or downloaded under dataDir/models). Rows hold JSON
 * text; this module turns them into `ModelRecord`s and back.
 */
import { join } from 'node:path';
import type { ModelFile, ModelRecord, ModelSource } from '../contract/index.ts';
import type { Db } from './db.ts';

/** Where downloaded models live: `dataDir/models/<id>/` (and `<id>.partial/` while downloading). */
export const modelsDir = (dataDir: string): string => join(dataDir, 'models');

interface ModelRow {
  id: string;
  kind: string;
  source: string;
  path: string;
  dim: number;
  files: string;
  origin: string | null;
  added_at: string;
}

/** What a new row holds (the time is added here). */
export interface NewModel {
  id: string;
  source: ModelSource;
  path: string;
  dim: number;
  files: ModelFile[];
  origin?: ModelRecord['origin'];
}

function toRecord(row: ModelRow): ModelRecord {
  const record: ModelRecord = {
    id: row.id,
    kind: 'clip',
    source: row.source as ModelSource,
    path: row.path,
    dim: row.dim,
    files: JSON.parse(row.files) as ModelFile[],
    addedAt: row.added_at,
  };
  if (row.origin !== null) record.origin = JSON.parse(row.origin) as NonNullable<ModelRecord['origin']>;
  return record;
}

export class ModelStore {
  constructor(private readonly db: Db) {}

  list(): ModelRecord[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY added_at, id').all() as ModelRow[]).map(toRecord);
  }

  get(id: string): ModelRecord | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return row && toRecord(row);
  }

  /** Adds a model; false (and nothing changed) when the id is taken. */
  add(model: NewModel): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO models (id, kind, source, path, dim, files, origin, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(model.id, 'clip', model.source, model.path, model.dim, JSON.stringify(model.files), model.origin ? JSON.stringify(model.origin) : null, new Date().toISOString());
    return result.changes === 1;
  }

  /** Removes a model's row; false when there was none. */
  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes === 1;
  }
}
