/**
 * Numbered schema migrations. Never edit a migration that has shipped: append a new one.
 * The schema version is SQLite's `user_version`, reported by `lafite info`.
 */
import { DATASETS_SQL } from './datasets.ts';
import { EMBEDDINGS_SQL, MODEL_VERSIONS_SQL } from './embeddings.ts';
import { PSEUDO_SQL } from './pseudo.ts';
import { RUNS_SQL } from './runs.ts';
import { EVALUATIONS_SQL } from './evaluations.ts';
import { VOCABULARY_SETS_SQL } from './vocabulary-sets.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs: long work run in worker threads',
    sql: `
      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled','interrupted')),
        input        TEXT NOT NULL,              -- JSON, validated by the kind's schema
        progress     TEXT,                       -- JSON JobProgress
        checkpoint   TEXT,                       -- JSON state a resumed attempt continues from
        result       TEXT,                       -- JSON
        error_code   TEXT,
        error_message TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        owner_pid    INTEGER,                    -- process running it, to detect killed runs
        cancel_requested INTEGER NOT NULL DEFAULT 0, -- set by any process, honoured by the owner
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        finished_at  TEXT
      );
      CREATE INDEX jobs_status ON jobs (status);
      CREATE INDEX jobs_created ON jobs (created_at);
    `,
  },
  {
    version: 2,
    description: 'models: CLIP encoders known to the model manager',
    sql: `
      CREATE TABLE models (
        id         TEXT PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('clip')),
        source     TEXT NOT NULL CHECK (source IN ('builtin', 'folder', 'download')),
        path       TEXT NOT NULL,                -- absolute folder (a user's folder is only referenced)
        dim        INTEGER NOT NULL,             -- feature dimension
        files      TEXT NOT NULL,                -- JSON [{path, bytes, sha256}] of the model's files
        origin     TEXT,                         -- JSON: registry id and/or URLs it was downloaded from
        added_at   TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'embeddings: the feature cache, keyed by model and content',
    sql: EMBEDDINGS_SQL,
  },
  {
    version: 4,
    description: 'datasets: imported folders, their images (with rejects and duplicates) and captions',
    sql: DATASETS_SQL,
  },
  {
    version: 5,
    description: 'pseudo text features: runs per configuration, features per image',
    sql: PSEUDO_SQL,
  },
  {
    version: 6,
    description: 'vocabulary sets: edited, imported and built vocabularies with their templates',
    sql: VOCABULARY_SETS_SQL,
  },
  {
    version: 7,
    description: "training runs: backend and sizes per run, losses per step; jobs may be 'paused'",
    sql: RUNS_SQL,
  },
  {
    version: 8,
    description: 'evaluations: metrics of a run’s generator at a step',
    sql: EVALUATIONS_SQL,
  },
  {
    version: 9,
    description: 'model versions: cached features are dropped when a model’s files change',
    sql: MODEL_VERSIONS_SQL,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
