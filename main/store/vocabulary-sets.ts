/**
 * Vocabulary sets saved in this data folder (`vocabulary_sets`): a user's edits of a default
 * set (same id: it takes the default's place), imports, and sets built from a model's
 * tokenizer. Rows hold the validated JSON; parsing and validation live in engine/pseudo.
 */
import type { Db } from './db.ts';

export interface SavedVocabularySet {
  id: string;
  vocabulary: unknown;
  templates: unknown;
  updatedAt: string;
}

export class VocabularySetStore {
  constructor(private readonly db: Db) {}

  list(): SavedVocabularySet[] {
    const rows = this.db.prepare('SELECT * FROM vocabulary_sets ORDER BY id').all() as { id: string; vocabulary: string; templates: string; updated_at: string }[];
    return rows.map((row) => ({ id: row.id, vocabulary: JSON.parse(row.vocabulary) as unknown, templates: JSON.parse(row.templates) as unknown, updatedAt: row.updated_at }));
  }

  get(id: string): SavedVocabularySet | undefined {
    return this.list().find((set) => set.id === id);
  }

  put(id: string, vocabulary: unknown, templates: unknown): void {
    this.db
      .prepare(
        'INSERT INTO vocabulary_sets (id, vocabulary, templates, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET vocabulary = excluded.vocabulary, templates = excluded.templates, updated_at = excluded.updated_at',
      )
      .run(id, JSON.stringify(vocabulary), JSON.stringify(templates), new Date().toISOString());
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM vocabulary_sets WHERE id = ?').run(id).changes > 0;
  }
}
