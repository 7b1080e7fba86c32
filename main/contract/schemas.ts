/** Ids and paths as every part of the API validates them. */
import { z } from 'zod';

/** A model id: also a folder name under dataDir/models. */
export const modelIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a model id: letters, digits, ., _ or -, at most 64');
/** A dataset name: also a folder name under dataDir/datasets. */
export const datasetIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a dataset name: letters, digits, ., _ or -, at most 64');
/** A stored perturbation network's name (a file name under dataDir/perturbation). */
export const perturbationIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name: letters, digits, ., _ or -, at most 64');
/** A stored pseudo-feature run's id (the hash of its configuration: `lafite pseudo stats` lists them). */
export const pseudoRunIdSchema = z.string().regex(/^[0-9a-f]{1,16}$/, 'a pseudo run id or its first digits (hex: lafite pseudo stats --dataset D lists them)');
/** A job or training run: its id (a UUID, or a built-in run's name), any unique prefix of it, or the name a user gave the run. */
export const jobRefSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a job id, its first characters, or a run name');
/** A name for a training run (`lafite runs rename`): usable wherever its id is. */
export const runNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, 'a run name: a letter, then letters, digits, ., _ or -, at most 64');
/** A vocabulary set's id or a shipped default's file name: lowercase letters, digits and hyphens. */
export const VOCABULARY_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
/** A vocabulary set's id (a domain: photos, faces, birds, shapes, or a user's). */
export const vocabularySetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a vocabulary set id: lowercase letters, digits and -, at most 64');
/** An absolute path (jobs run elsewhere: relative paths would mean another folder). */
export const absolutePath = z.string().regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'an absolute path');

/**
 * Characters a word, template or caption never needs and a terminal or a page must not get
 * raw: controls (NUL, escape sequences: \p{Cc}) and the bidirectional marks and overrides
 * that make a text read otherwise than it is stored (U+202E turns "gnp.exe" around).
 */
export const UNSAFE_TEXT_CHARS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Text without those characters, at most `max` long. */
export const plainText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !UNSAFE_TEXT_CHARS.test(text), 'no control characters (NUL, escape, …) or direction overrides');
