/**
 * The vocabulary sets and template sets that ship with the app (resources/vocabularies,
 * resources/templates): one JSON file a domain, read as text here and parsed by the engine
 * (engine/pseudo/vocabulary.ts, templates.ts) in jobs/vocabulary-sets.ts.
 *
 * @example
 *   await listDefaultDomains(defaultVocabularyDir())                                  // ['birds', 'faces', 'photos', 'shapes']
 *   const { text, source } = await readDefaultFile(defaultTemplateDir(), 'faces', 'template set');
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput, notFound } from '../contract/errors.ts';
import { VOCABULARY_ID_PATTERN } from '../contract/schemas.ts';
import { resourcesDir } from './paths.ts';

/** The folder of the default vocabulary sets. */
export const defaultVocabularyDir = (): string => join(resourcesDir(), 'vocabularies');

/** The folder of the default template sets. */
export const defaultTemplateDir = (): string => join(resourcesDir(), 'templates');

/** The domains with a shipped default (file names without `.json`), sorted. */
export async function listDefaultDomains(dir: string): Promise<string[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Reads `<dir>/<domain>.json` as text; `not_found` (listing the defaults) when there is none. */
export async function readDefaultFile(dir: string, domain: string, what: string): Promise<{ text: string; source: string }> {
  if (!VOCABULARY_ID_PATTERN.test(domain)) throw invalidInput(`${what} domain '${domain}' must be lowercase letters, digits and hyphens`, 'domain');
  const source = join(dir, `${domain}.json`);
  try {
    return { text: await readFile(source, 'utf8'), source };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const domains = await listDefaultDomains(dir);
    throw notFound(`no default ${what} for domain '${domain}'; defaults: ${domains.join(', ') || 'none'}`);
  }
}
