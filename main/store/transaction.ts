/**
 * The one way store code opens a transaction (ESLint refuses `db.transaction` elsewhere).
 * Apart from db.ts so that the query modules, which migrations.ts imports for their SQL, can
 * use it without an import cycle.
 */
import type Database from 'better-sqlite3';

/**
 * Runs `fn` in a transaction that takes the write lock at BEGIN (BEGIN IMMEDIATE), and returns
 * its result; an exception rolls everything back. The only way store code opens a transaction
 * (ESLint refuses `db.transaction` elsewhere): a deferred transaction that reads first holds a
 * WAL snapshot, and when another process commits before its first write, that write fails at
 * once with SQLITE_BUSY_SNAPSHOT, whatever busy_timeout says. Taking the lock first makes a
 * concurrent writer wait (busy_timeout) instead. Nested calls become savepoints.
 */
export function writeTransaction<T>(db: Database.Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}
