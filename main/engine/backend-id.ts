/** Backend names as users type them, checked without loading TensorFlow.js. */
import { BACKEND_IDS, type BackendId } from '../contract/index.ts';
import { invalidInput } from '../contract/errors.ts';

/** Parses a backend name from `--backend` or `LAFITE_BACKEND`. */
export function parseBackendId(name: string | undefined): BackendId | undefined {
  if (name === undefined || name === '') return undefined;
  if ((BACKEND_IDS as readonly string[]).includes(name)) return name as BackendId;
  throw invalidInput(`unknown backend '${name}': choose one of ${BACKEND_IDS.join(', ')}`, 'backend');
}
