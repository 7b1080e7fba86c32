// Starts a job worker from the TypeScript sources (CLI, server and tests run unbundled):
// module hooks are per thread, so the worker registers tsx itself, then loads the entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
