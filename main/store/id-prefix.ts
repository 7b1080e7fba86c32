/**
 * Ids by prefix: the UI and reports show 8-character prefixes of UUIDs and hashes (`974df643`),
 * and every command that takes an id accepts any prefix that names one row. The store only
 * lists the candidates; main/api/ids.ts decides (exact, unique prefix, ambiguous, none).
 */
import type { Db } from './db.ts';

/** The tables whose ids the API accepts by prefix, and the column that holds them. */
const ID_TABLES = {
  jobs: 'id',
  datasets: 'id',
  pseudo_runs: 'id',
  models: 'id',
} as const;
export type IdTable = keyof typeof ID_TABLES;

/** LIKE's wildcards in a user's text, escaped (a prefix is matched as typed). */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Ids of `table` that start with `prefix` (at most `limit`, sorted); `kind`: only jobs of that kind.
 * An exact id is always among them when it exists.
 */
export function idsWithPrefix(db: Db, table: IdTable, prefix: string, options: { kinds?: readonly string[]; limit?: number } = {}): string[] {
  const column = ID_TABLES[table];
  const kinds = table === 'jobs' && options.kinds && options.kinds.length > 0 ? options.kinds : undefined;
  const kindClause = kinds ? ` AND kind IN (${kinds.map(() => '?').join(',')})` : '';
  const rows = db
    .prepare(`SELECT ${column} AS id FROM ${table} WHERE ${column} LIKE ? ESCAPE '\\'${kindClause} ORDER BY ${column} LIMIT ?`)
    .all(`${escapeLike(prefix)}%`, ...(kinds ?? []), options.limit ?? 20) as { id: string }[];
  return rows.map((row) => row.id);
}

/** Every id of `table` (of these job kinds), for suggesting the closest name to one not found. */
export function allIds(db: Db, table: IdTable, kinds?: readonly string[], limit = 5000): string[] {
  const column = ID_TABLES[table];
  const kindClause = table === 'jobs' && kinds && kinds.length > 0 ? ` WHERE kind IN (${kinds.map(() => '?').join(',')})` : '';
  return (db.prepare(`SELECT ${column} AS id FROM ${table}${kindClause} LIMIT ?`).all(...(table === 'jobs' && kinds ? kinds : []), limit) as { id: string }[]).map((row) => row.id);
}
