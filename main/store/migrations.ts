/**
 * Numbered schema migrations. Never edit a migration that has shipped: append a new one.
 * Each holds its own SQL, frozen as it shipped (byte for byte: a changed query file must not
 * change a database's history), so this file imports nothing of the store.
 * The schema version is SQLite's `user_version`, reported by `lafite info`.
 */

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
    sql: `
  CREATE TABLE embeddings (
    model_id   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('image', 'text')),
    key        TEXT NOT NULL,            -- image sha256, or the text
    dim        INTEGER NOT NULL,
    vector     BLOB NOT NULL,            -- float32, little-endian, L2-normalised
    created_at TEXT NOT NULL,
    PRIMARY KEY (model_id, kind, key)
  ) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    description: 'datasets: imported folders, their images (with rejects and duplicates) and captions',
    sql: `
  CREATE TABLE datasets (
    id          TEXT PRIMARY KEY,           -- the name users type
    folder      TEXT NOT NULL,              -- absolute; the user's folder is only read, never written
    image_size  INTEGER NOT NULL,           -- side of the cached square training crops
    min_size    INTEGER NOT NULL,
    split       TEXT,                       -- JSON {val, seed} of the last split
    few_shot    TEXT,                       -- JSON {pairs, seed} of the last few-shot subset
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE TABLE images (
    id           INTEGER PRIMARY KEY,
    dataset_id   TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    path         TEXT NOT NULL,             -- inside the folder, '/'-separated
    bytes        INTEGER NOT NULL,
    mtime_ms     INTEGER NOT NULL,          -- with bytes: has the file changed since it was seen
    status       TEXT NOT NULL CHECK (status IN ('imported', 'rejected', 'duplicate', 'excluded')),
    reason       TEXT,
    duplicate_of INTEGER REFERENCES images (id) ON DELETE SET NULL,
    sha256       TEXT,
    md5          TEXT,
    format       TEXT,
    width        INTEGER,
    height       INTEGER,
    split        TEXT CHECK (split IN ('train', 'val')),
    few_shot     INTEGER NOT NULL DEFAULT 0,
    seen_at      TEXT NOT NULL,
    UNIQUE (dataset_id, path)
  );
  CREATE INDEX images_dataset_status ON images (dataset_id, status);
  CREATE INDEX images_dataset_sha256 ON images (dataset_id, sha256);
  CREATE INDEX images_sha256 ON images (sha256);
  CREATE INDEX images_md5 ON images (md5);
  CREATE TABLE captions (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    text      TEXT NOT NULL,
    source    TEXT NOT NULL,                -- the caption file it came from
    UNIQUE (image_id, text)
  );
`,
  },
  {
    version: 5,
    description: 'pseudo text features: runs per configuration, features per image',
    sql: `
  CREATE TABLE pseudo_runs (
    id          TEXT PRIMARY KEY,               -- hash of the configuration and the dataset's images
    dataset_id  TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    method      TEXT NOT NULL CHECK (method IN ('gaussian', 'nn', 'retrieval', 'clo')),
    model_id    TEXT NOT NULL,
    config      TEXT NOT NULL,                  -- JSON: everything that determines the features
    stats       TEXT,                           -- JSON SimilarityStats, once complete
    summary     TEXT,                           -- JSON: method-specific figures (prompt counts, …)
    complete    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
  );
  CREATE INDEX pseudo_runs_dataset ON pseudo_runs (dataset_id, method);
  CREATE TABLE pseudo_features (
    run_id    TEXT NOT NULL REFERENCES pseudo_runs (id) ON DELETE CASCADE,
    image_id  INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    rank      INTEGER NOT NULL,                 -- 0 is the best of an image's features
    prompt    TEXT,                             -- retrieval: the prompt
    score     REAL NOT NULL,                    -- cosine to the image's own feature
    vector    BLOB,                             -- float32; null where the prompt's cached feature is used
    PRIMARY KEY (run_id, image_id, rank)
  ) WITHOUT ROWID;
`,
  },
  {
    version: 6,
    description: 'vocabulary sets: edited, imported and built vocabularies with their templates',
    sql: `
  CREATE TABLE vocabulary_sets (
    id          TEXT PRIMARY KEY,           -- the domain id templates and synthesis name
    vocabulary  TEXT NOT NULL,              -- JSON VocabularySet
    templates   TEXT NOT NULL,              -- JSON TemplateSet
    updated_at  TEXT NOT NULL
  );
`,
  },
  {
    version: 7,
    description: "training runs: backend and sizes per run, losses per step; jobs may be 'paused'",
    sql: `
  -- The jobs table gains the status 'paused' (SQLite cannot change a CHECK: copy the table).
  CREATE TABLE jobs_v7 (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled','interrupted','paused')),
    input        TEXT NOT NULL,
    progress     TEXT,
    checkpoint   TEXT,
    result       TEXT,
    error_code   TEXT,
    error_message TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    owner_pid    INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0, -- 1: cancel, 2: pause; set by any process, honoured by the owner
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
  );
  INSERT INTO jobs_v7 SELECT * FROM jobs;
  DROP TABLE jobs;
  ALTER TABLE jobs_v7 RENAME TO jobs;
  CREATE INDEX jobs_status ON jobs (status);
  CREATE INDEX jobs_created ON jobs (created_at);

  CREATE TABLE training_runs (
    job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    backend      TEXT NOT NULL,             -- of the latest attempt
    device       TEXT,                      -- GPU adapter or device name, where there is one
    g_params     INTEGER NOT NULL,
    d_params     INTEGER NOT NULL,
    images       INTEGER NOT NULL,          -- training images (after subset and caption filters)
    attempts     TEXT NOT NULL,             -- JSON [{backend, device, fromStep, at}]
    updated_at   TEXT NOT NULL
  );
  CREATE TABLE run_metrics (
    job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step     INTEGER NOT NULL,
    metrics  TEXT NOT NULL,                 -- JSON {dLoss, gLoss, conDReal, conDFake, conG, r1?, imagesPerSecond}
    PRIMARY KEY (job_id, step)
  ) WITHOUT ROWID;
`,
  },
  {
    version: 8,
    description: 'evaluations: metrics of a run’s generator at a step',
    sql: `
  CREATE TABLE evaluations (
    job_id      TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE, -- the gan-eval job
    run_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,    -- the gan-train job measured
    step        INTEGER NOT NULL,           -- the generator snapshot's step
    images      INTEGER NOT NULL,           -- generated images measured
    metrics     TEXT NOT NULL,              -- JSON {name: value}
    created_at  TEXT NOT NULL
  );
  CREATE INDEX evaluations_run ON evaluations (run_id, step);
`,
  },
  {
    version: 9,
    description: 'model versions: cached features are dropped when a model’s files change',
    sql: `
  CREATE TABLE model_versions (
    model_id    TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,           -- the ONNX files' sizes and modification times, hashed
    updated_at  TEXT NOT NULL
  ) WITHOUT ROWID;
`,
  },
  {
    version: 10,
    description: 'job names: a name a user gave a training run (lafite runs rename), unique, usable wherever its id is',
    sql: `
  CREATE TABLE job_names (
    job_id      TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    name        TEXT NOT NULL UNIQUE,
    updated_at  TEXT NOT NULL
  ) WITHOUT ROWID;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
