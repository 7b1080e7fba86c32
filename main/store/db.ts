/**
 * Opens the project database (better-sqlite3): WAL journal, foreign keys on, migrations
 * applied in order, each in its own transaction.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LafiteError } from '../contract/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.ts';
import { writeTransaction } from './transaction.ts';

export type Db = Database.Database;

export interface OpenOptions {
  /** Apply pending migrations (the default); off only for read-only inspection. */
  migrate?: boolean;
}

/**
 * better-sqlite3's compiled addon for another ABI than this Node's: `npm start` sets it to the
 * copy built for Electron (scripts/electron-native.mjs) so that node_modules keeps the one
 * the CLI and the tests load. Unset, better-sqlite3 finds its own build.
 */
const nativeBinding = (): string | undefined => process.env.LAFITE_SQLITE_BINDING || undefined;

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  mkdirSync(dirname(path), { recursive: true });
  const binding = nativeBinding();
  const db = new Database(path, binding ? { nativeBinding: binding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // Several processes (the app, the CLI, workers) share one file: wait rather than fail.
  db.pragma('busy_timeout = 5000');
  if (options.migrate !== false) migrate(db, MIGRATIONS);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new LafiteError('conflict', `the database has schema version ${current}, newer than this Lafite Studio (${SCHEMA_VERSION}): update the app`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    writeTransaction(db, () => {
      // Another process may have applied it while we waited for the write lock.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    });
  }
}
