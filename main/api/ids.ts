/**
 * Ids as people type them, resolved in one place: the UI and reports show 8-character prefixes
 * (`974df643`), and every method that takes an id of a job, run, dataset, pseudo run or model
 * accepts the whole id, a run's name (`lafite runs rename`), or any prefix that names exactly
 * one. An ambiguous prefix lists what it matches; an unknown one is `not_found` (CLI exit 3) with
 * the closest name suggested.
 *
 * @example
 *   const ids = new IdResolver(db);
 *   ids.trainingRun('974df643'); // '974df643-0b1c-…'
 *   ids.dataset('emoij');        // not_found: no dataset 'emoij': did you mean 'emoji'? …
 */
import { invalidInput, notFound } from '../contract/errors.ts';
import type { Db } from '../store/db.ts';
import { allIds, idsWithPrefix, type IdTable } from '../store/id-prefix.ts';
import { RunCatalog } from '../store/run-catalog.ts';

/** Job kinds whose jobs are training runs (a generator to draw from, evaluate or fine-tune). */
export const TRAINING_KINDS: readonly string[] = ['gan-train', 'diffusion-train'];

/** What one kind of id is called, where to find them and how to list them. */
interface IdKind {
  table: IdTable;
  /** In messages: `no ${noun} '${id}'`. */
  noun: string;
  /** Only jobs of these kinds (jobs table). */
  kinds?: readonly string[];
  /** Where a user sees them (a phrase after "see"). */
  listHint: string;
  /** Whether to suggest the closest id (names people type; not UUIDs). */
  suggest: boolean;
}

const KINDS = {
  job: { table: 'jobs', noun: 'job', listHint: '`lafite jobs list`', suggest: false },
  trainingRun: { table: 'jobs', noun: 'training run', kinds: TRAINING_KINDS, listHint: '`lafite runs list` or the Training view', suggest: true },
  generation: { table: 'jobs', noun: 'generation', kinds: ['gan-generate'], listHint: 'the Playground', suggest: false },
  dataset: { table: 'datasets', noun: 'dataset', listHint: '`lafite dataset list` or the Datasets view', suggest: true },
  pseudoRun: { table: 'pseudo_runs', noun: 'pseudo-feature run', listHint: '`lafite pseudo stats --dataset D`', suggest: false },
  model: { table: 'models', noun: 'model', listHint: '`lafite model list`', suggest: true },
} as const satisfies Record<string, IdKind>;
export type IdKindName = keyof typeof KINDS;

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `typed`, when it is close enough to be a typo (a third of its length, at least 2 edits). */
export function closestName(typed: string, names: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
}

export class IdResolver {
  private readonly catalog: RunCatalog;
  constructor(private readonly db: Db) {
    this.catalog = new RunCatalog(db);
  }

  /** The whole id `typed` names, or throws (`not_found`, or `invalid_input` naming `field` when ambiguous). */
  resolve(kindName: IdKindName, typed: string, field?: string): string {
    const kind: IdKind = KINDS[kindName];
    const named = kind.table === 'jobs' ? this.catalog.byName(typed) : undefined;
    if (named !== undefined && this.matchesKind(kind, named)) return named;
    const kinds = 'kinds' in kind ? kind.kinds : undefined;
    const found = idsWithPrefix(this.db, kind.table, typed, { ...(kinds ? { kinds } : {}), limit: 11 });
    const exact = found.find((id) => id === typed);
    if (exact !== undefined) return exact;
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      const shown = found.slice(0, 10).join(', ') + (found.length > 10 ? ', …' : '');
      throw invalidInput(`'${typed}' is the start of ${found.length > 10 ? 'more than 10' : found.length} ${kind.noun}s (${shown}): type more of it`, field);
    }
    throw notFound(this.notFoundMessage(kind, typed));
  }

  /** `resolve`, for an optional field. */
  resolveOptional(kindName: IdKindName, typed: string | undefined, field?: string): string | undefined {
    return typed === undefined ? undefined : this.resolve(kindName, typed, field);
  }

  private matchesKind(kind: IdKind, jobId: string): boolean {
    if (!kind.kinds) return true;
    const row = this.db.prepare('SELECT kind FROM jobs WHERE id = ?').get(jobId) as { kind: string } | undefined;
    return row !== undefined && kind.kinds.includes(row.kind);
  }

  private notFoundMessage(kind: IdKind, typed: string): string {
    const names = kind.suggest ? [...allIds(this.db, kind.table, kind.kinds), ...(kind.table === 'jobs' ? this.catalog.names().values() : [])] : [];
    const closest = closestName(typed, names);
    return `no ${kind.noun} '${typed}'${closest ? `: did you mean '${closest}'?` : ''} (see ${kind.listHint})`;
  }
}
