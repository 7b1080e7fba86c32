/**
 * The service behind the API: one function per method of main/contract/, input validated
 * here and nowhere else. IPC, HTTP and the CLI are thin adapters over `call`.
 *
 * @example
 *   const service = openService({ dataDir: '/tmp/lafite' });
 *   const info = await service.call('info', {});
 *   await service.close();
 */
import { parseBackendId } from '../engine/backend-id.ts';
import { JobRunner } from '../jobs/runner.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { JobStore } from '../store/jobs.ts';
import { EmbeddingStore } from '../store/embeddings.ts';
import { ModelStore } from '../store/models.ts';
import { DatasetStore } from '../store/datasets.ts';
import { PseudoStore } from '../store/pseudo.ts';
import { SHAPES_CLIP_ID } from '../engine/shapes/clip.ts';
import { builtinModelDir, databasePath, resolveDataDir } from '../store/paths.ts';
import { inputSchemas, type ApiClient, type ApiEvent, type BackendId, type Input, type JobKind, type Method, type Output, type ParsedInput } from '../contract/index.ts';
import { fromZodError, LafiteError, notFound } from '../contract/errors.ts';
import { addModel, listModels, registerBuiltinModels, removeModel } from './models.ts';
import { registerBuiltinRuns } from './builtin-runs.ts';
import { editCaption, getDataset, importCaptions, markFewShot, removeDataset, splitDataset, thumbnails } from './datasets.ts';
import { listNetworks, listRuns, pseudoCaptions, pseudoStats } from './pseudo.ts';
import {
  buildVocabularySet,
  checkTemplates,
  checkVocabularyWords,
  getVocabularySet,
  listVocabularySets,
  previewRetrieval,
  resetVocabularySet,
  saveVocabularySet,
} from './vocabulary.ts';
import { VocabularySetStore } from '../store/vocabulary-sets.ts';
import { RunStore } from '../store/runs.ts';
import { generatedImages, getRunSample, getTrainingRun, listGenerations, listTrainingRuns, pinPseudoRun } from './runs.ts';
import { listEvaluations } from '../jobs/run-records.ts';
import { EvaluationStore } from '../store/evaluations.ts';
import { RunCatalog } from '../store/run-catalog.ts';
import { IdResolver } from './ids.ts';
import { resolveInputIds } from './method-ids.ts';
import { checkJobStart, preflightProblems, type PreflightStores } from './preflight.ts';
import { removeRun, renameRun } from './run-admin.ts';
import { encoderFit } from './encoder-fit.ts';
import { exportGallery, listGallery, pngSettings } from './gallery.ts';

export interface ServiceOptions {
  /** The data folder; default: `LAFITE_DATA_DIR` or the per-user app data folder. */
  dataDir?: string;
  /** Force a compute backend (`--backend`, `LAFITE_BACKEND`). */
  backend?: string;
}

export interface Service extends ApiClient {
  readonly dataDir: string;
  readonly dbPath: string;
  /** Calls a method by a name that came from outside (IPC, HTTP): unknown names are an error. */
  callUntyped(method: string, input: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Methods that use TensorFlow.js in this process. */
const NEEDS_BACKEND: ReadonlySet<Method> = new Set(['info']);

type Handlers = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> | Output<M> };

function handlersFor(db: Db, jobs: JobRunner, paths: { dataDir: string; dbPath: string }, backend?: BackendId): Handlers {
  const models = new ModelStore(db);
  const datasets = new DatasetStore(db);
  const pseudo = new PseudoStore(db);
  const sets = new VocabularySetStore(db);
  const catalog = new RunCatalog(db);
  const runStores = { jobs: new JobStore(db), runs: new RunStore(db), catalog, dataDir: paths.dataDir };
  const checks: PreflightStores = { datasets, pseudo, jobs: runStores.jobs, models, dataDir: paths.dataDir, ...(backend ? { backend } : {}) };
  /** A training input with its pseudo run named (the same on resume). */
  const pinTrainingInput = (kind: JobKind, input: Record<string, unknown>) => (kind === 'gan-train' || kind === 'diffusion-train' ? pinPseudoRun(pseudo, input, kind) : input);
  /** A job made only once the pre-flight finds nothing that would fail it before its first step. */
  const startJob = async (kind: JobKind, input: Record<string, unknown>) => {
    const pinned = pinTrainingInput(kind, input);
    await checkJobStart(checks, kind, pinned);
    return jobs.start(kind, pinned);
  };
  /** A stopped training run resumes only when its input still holds (its dataset, its features). */
  const resumeJob = async (id: string) => {
    const job = jobs.get(id);
    if (job.kind === 'gan-train' || job.kind === 'diffusion-train') await checkJobStart(checks, job.kind, job.input);
    return jobs.resume(id);
  };
  return {
    info: async () => (await import('./info.ts')).getInfo(db, paths),
    'jobs.list': ({ limit, status }) => jobs.list(limit, status),
    'jobs.get': ({ id }) => jobs.get(id),
    'jobs.start': ({ kind, input }) => startJob(kind, input),
    'jobs.check': async ({ kind, input }) => ({ problems: await preflightProblems(checks, kind, pinTrainingInput(kind, input)) }),
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.resume': ({ id }) => resumeJob(id),
    'jobs.pause': ({ id }) => jobs.pause(id),
    'models.list': () => listModels(models),
    'models.add': (input) => addModel(models, paths.dataDir, input),
    'models.remove': ({ id }) => removeModel(models, new EmbeddingStore(db), paths.dataDir, id),
    'datasets.list': () => datasets.list(),
    'datasets.get': ({ dataset }) => getDataset(datasets, dataset),
    'datasets.fit': ({ dataset, model }) => {
      getDataset(datasets, dataset);
      const newest = pseudo.list(dataset)[0]?.modelId; // the encoder the dataset was last worked on with (newest first)
      return encoderFit({ datasets, models, embeddings: new EmbeddingStore(db), pseudo }, dataset, model ?? newest ?? SHAPES_CLIP_ID);
    },
    'datasets.remove': ({ dataset }) => removeDataset(datasets, paths.dataDir, dataset, [...jobs.list(1000, 'running'), ...jobs.list(1000, 'queued')]),
    'datasets.images': ({ dataset, offset, limit, ...filter }) => datasets.images(getDataset(datasets, dataset).id, filter, offset, limit),
    'datasets.image': ({ dataset, id }) => {
      const image = datasets.image(getDataset(datasets, dataset).id, id);
      if (!image) throw notFound(`dataset '${dataset}' has no image ${id}`);
      return image;
    },
    'datasets.caption': ({ dataset, image, ...change }) => editCaption(datasets, dataset, image, change),
    'datasets.thumbnails': (input) => thumbnails(datasets, paths.dataDir, input),
    'datasets.captions': (input) => importCaptions(datasets, paths.dataDir, input),
    'datasets.split': (input) => splitDataset(datasets, input),
    'datasets.fewshot': (input) => markFewShot(datasets, input),
    'pseudo.runs': ({ dataset }) => listRuns(datasets, pseudo, dataset),
    'pseudo.captions': (input) => pseudoCaptions(datasets, pseudo, input),
    'pseudo.networks': () => listNetworks(paths.dataDir),
    'pseudo.stats': (input) => pseudoStats(datasets, pseudo, new EmbeddingStore(db), input),
    'vocabulary.list': () => listVocabularySets(sets),
    'vocabulary.get': ({ id }) => getVocabularySet(sets, id),
    'vocabulary.save': (input) => saveVocabularySet(sets, models, input),
    'vocabulary.words': (input) => checkVocabularyWords(models, input),
    'vocabulary.reset': ({ id }) => resetVocabularySet(sets, id),
    'vocabulary.check': (input) => checkTemplates(input),
    'vocabulary.build': (input) => buildVocabularySet(sets, models, input),
    'vocabulary.preview': (input) => previewRetrieval({ sets, datasets, models, embeddings: new EmbeddingStore(db) }, paths.dataDir, input),
    'runs.list': ({ limit }) => listTrainingRuns(runStores, limit),
    'runs.get': ({ id, maxPoints }) => getTrainingRun(runStores, id, maxPoints),
    'runs.sample': ({ id, step }) => getRunSample(runStores, id, step),
    'runs.generations': ({ id, limit }) => listGenerations(runStores, id, limit),
    'runs.generated': ({ id }) => generatedImages(runStores, id),
    'runs.evaluations': ({ id }) => listEvaluations(new EvaluationStore(db), runStores.jobs, id),
    'runs.remove': ({ id }) => removeRun(catalog, paths.dataDir, jobs.get(id)),
    'runs.rename': async ({ id, name }) => {
      renameRun(catalog, id, name);
      return (await listTrainingRuns(runStores, 1000)).find((run) => run.id === id)!;
    },
    'gallery.list': ({ run, limit }) => listGallery(runStores.jobs, run, limit),
    'gallery.pngSettings': ({ png }) => pngSettings(png),
    'gallery.export': ({ images, folder }) => exportGallery(runStores.jobs, paths.dataDir, images, folder),
  };
}

export function openService(options: ServiceOptions = {}): Service {
  const dataDir = resolveDataDir(options.dataDir);
  const dbPath = databasePath(dataDir);
  const backend: BackendId | undefined = parseBackendId(options.backend ?? process.env.LAFITE_BACKEND);
  const db = openDatabase(dbPath);
  const jobs = new JobRunner(new JobStore(db), { dataDir, dbPath, ...(backend ? { backend } : {}) });
  const handlers = handlersFor(db, jobs, { dataDir, dbPath }, backend);
  const ids = new IdResolver(db);
  // TensorFlow.js loads only for what needs it here (jobs load it in their workers): a CLI call
  // that lists datasets should not pay a second for it. A forced backend loads at once, so
  // it fails early and clearly when it cannot.
  let backendReady: Promise<unknown> | undefined;
  const ensureBackend = (): Promise<unknown> => (backendReady ??= import('../engine/backend.ts').then((m) => m.initBackend(backend)));
  if (backend) ensureBackend().catch(() => undefined);
  const builtinsReady = Promise.all([
    registerBuiltinModels(new ModelStore(db), [{ id: SHAPES_CLIP_ID, folder: builtinModelDir(SHAPES_CLIP_ID) }]),
    registerBuiltinRuns(new JobStore(db), dataDir),
  ]);
  builtinsReady.catch(() => undefined);

  async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const parsed = inputSchemas[method].safeParse(input ?? {});
    if (!parsed.success) throw fromZodError(parsed.error, method);
    if (backend || NEEDS_BACKEND.has(method)) await ensureBackend();
    await builtinsReady;
    const handler = handlers[method] as (input: ParsedInput<M>) => Promise<Output<M>> | Output<M>;
    return handler(resolveInputIds(ids, method, parsed.data as ParsedInput<M>)); // prefixes and names made whole ids
  }

  return {
    dataDir,
    dbPath,
    call,
    callUntyped(method, input) {
      if (!Object.hasOwn(inputSchemas, method)) throw new LafiteError('not_found', `unknown API method '${method}'`);
      return call(method as Method, input as Input<Method>);
    },
    subscribe(listener: (event: ApiEvent) => void) {
      return jobs.subscribe((job) => listener({ type: 'job.updated', job }));
    },
    async close() {
      await jobs.dispose();
      db.close();
    },
  };
}
