import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../tests/helpers/temp.ts';
import { migrate, openDatabase, schemaVersion } from './db.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

describe('openDatabase', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('applies every migration, in WAL mode with foreign keys on', () => {
    const db = openDatabase(`${dir.path}/a.db`);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toContain('jobs');
    db.close();
  });

  it('is idempotent: opening twice migrates once', () => {
    openDatabase(`${dir.path}/b.db`).close();
    const db = openDatabase(`${dir.path}/b.db`);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('keeps the jobs of an older database when migration 7 copies the jobs table', () => {
    const db = openDatabase(`${dir.path}/v6.db`, { migrate: false });
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    db.prepare("INSERT INTO jobs (id, kind, status, input, created_at) VALUES ('0000000a', 'embed', 'succeeded', '{}', '2026-01-01')").run();
    migrate(db, MIGRATIONS);
    expect(db.prepare('SELECT id, status FROM jobs').all()).toEqual([{ id: '0000000a', status: 'succeeded' }]);
    db.prepare("UPDATE jobs SET status = 'paused'").run();
    expect(() => db.prepare("UPDATE jobs SET status = 'lost'").run()).toThrow(/CHECK/);
    db.close();
  });

  it('has strictly increasing migration numbers from 1', () => {
    MIGRATIONS.forEach((migration, index) => expect(migration.version).toBe(index + 1));
  });

  it('refuses a database made by a newer version, naming both versions', () => {
    const db = openDatabase(`${dir.path}/c.db`);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    expect(() => migrate(db, MIGRATIONS)).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 5}.*\\(${SCHEMA_VERSION}\\)`));
    db.close();
  });

  it('rolls back a failing migration and keeps the old version', () => {
    const db = openDatabase(`${dir.path}/d.db`);
    const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE t (x); SELECT * FROM missing;' }];
    expect(() => migrate(db, broken)).toThrow(/missing/);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });
});
