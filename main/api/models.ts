/**
 * The model manager's service functions (`models.list`, `models.add`, `models.remove`);
 * downloads are the `model-download` job kind. A user's folder is referenced in place and
 * never deleted; downloaded models live under dataDir/models/<id> and are deleted on remove.
 *
 * @example
 *   const model = await addModel(store, dataDir, { folder: '/models/clip-vit-b32' }); // validated by loading it
 *   await removeModel(store, dataDir, model.id);
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { hashModelFiles } from '../engine/encoders/model-files.ts';
import type { EmbeddingStore } from '../store/embeddings.ts';
import { modelsDir, type ModelStore } from '../store/models.ts';
import { checkPath } from '../store/path-policy.ts';
import { modelIdSchema, type ModelRecord, type Output, type ParsedInput } from '../contract/index.ts';
import { conflict, invalidInput, LafiteError, notFound } from '../contract/errors.ts';

export function listModels(store: ModelStore): ModelRecord[] {
  return store.list();
}

/** Folders deeper than this in a model folder are not looked into (the Hugging Face layout is two deep). */
const MODEL_FOLDER_DEPTH = 4;

/**
 * Every file of a model folder through the path policy before ONNX Runtime opens any: it opens
 * models synchronously on the calling thread, so a named pipe or a device among them would
 * block the server (the window, in Electron) for good.
 */
async function checkModelFiles(folder: string, dataDir: string, depth = 0): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (depth < MODEL_FOLDER_DEPTH) await checkModelFiles(path, dataDir, depth + 1);
      continue;
    }
    if (entry.isSymbolicLink() && existsSync(path) && statSync(path).isDirectory()) continue; // not followed
    checkPath(path, { use: 'read-file', field: 'folder', dataDir });
  }
}

/** Registers a user's CLIP folder: loads it (which validates it), hashes its files, references its path. */
export async function addModel(store: ModelStore, dataDir: string, input: ParsedInput<'models.add'>): Promise<ModelRecord> {
  const folder = resolve(input.folder);
  if (!existsSync(folder)) throw new LafiteError('not_found', `models.add: folder ${folder} does not exist`, 'folder');
  if (!statSync(folder).isDirectory()) throw invalidInput(`models.add: field 'folder' must be a folder, ${folder} is a file`, 'folder');
  checkPath(folder, { use: 'read-folder', field: 'folder', dataDir });
  await checkModelFiles(folder, dataDir);
  const id = input.id ?? basename(folder);
  if (!modelIdSchema.safeParse(id).success) {
    throw invalidInput(`models.add: the folder name '${id}' is not a valid model id (letters, digits, ., _ or -): give one with 'id'`, 'id');
  }
  if (store.get(id)) throw conflict(`models.add: model '${id}' already exists: remove it first or choose another id`);
  const { loadClipOnnx } = await import('../engine/encoders/clip-onnx.ts'); // ONNX Runtime loads only when a model is added
  const encoder = await loadClipOnnx(folder, { id });
  const dim = encoder.dim;
  await encoder.dispose();
  const files = await hashModelFiles(folder);
  if (!store.add({ id, source: 'folder', path: folder, dim, files })) throw conflict(`models.add: model '${id}' already exists`);
  return store.get(id)!;
}

/**
 * Registers the models that ship with the app (today `shapes-clip`, the ShapesWorld demo
 * CLIP) as `builtin`, pointing at their folder in this installation; a moved installation
 * updates the path.
 */
export async function registerBuiltinModels(store: ModelStore, builtins: ReadonlyArray<{ id: string; folder: string }>): Promise<void> {
  for (const builtin of builtins) {
    const configFile = join(builtin.folder, 'config.json');
    if (!existsSync(configFile)) continue; // not shipped in this build
    const known = store.get(builtin.id);
    if (known && (known.source !== 'builtin' || known.path === builtin.folder)) continue;
    const { projection_dim: dim } = JSON.parse(await readFile(configFile, 'utf8')) as { projection_dim: number };
    if (known) store.remove(builtin.id);
    store.add({ id: builtin.id, source: 'builtin', path: builtin.folder, dim, files: await hashModelFiles(builtin.folder) });
  }
}

/** Whether `path` lies inside `dir`. */
const isInside = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') && !/^[A-Za-z]:/.test(rel);
};

/**
 * Forgets a model. A downloaded model's folder (under dataDir/models) is deleted, and so is
 * an unfinished download's `.partial` folder; a user's folder is never touched.
 */
export async function removeModel(store: ModelStore, embeddings: EmbeddingStore, dataDir: string, id: string): Promise<Output<'models.remove'>> {
  const root = modelsDir(dataDir);
  const partial = join(root, `${id}.partial`);
  const record = store.get(id);
  if (!record) {
    if (!existsSync(partial)) throw notFound(`models.remove: no model '${id}'`);
    await rm(partial, { recursive: true, force: true }); // an unfinished download
    return { id, deletedFiles: true };
  }
  if (record.source === 'builtin') throw conflict(`models.remove: '${id}' is built in and cannot be removed`);
  let deletedFiles = false;
  if (record.source === 'download' && isInside(record.path, root)) {
    await rm(record.path, { recursive: true, force: true });
    deletedFiles = true;
  }
  await rm(partial, { recursive: true, force: true });
  store.remove(id);
  embeddings.removeModel(id); // features of a model that is gone are of no use
  return { id, deletedFiles };
}
