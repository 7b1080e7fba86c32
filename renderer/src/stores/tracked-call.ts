/**
 * The busy flag and error ref around a store's API call: the flag is set while the call
 * runs, and a failure lands in the error ref (for a banner or a form) instead of throwing.
 * What a call does to its error before or after (clears it first, clears it on success) stays
 * with the call, in the store.
 *
 * @example
 *   const job = await trackCall(importStarting, importError, () => api.call('jobs.start', input));
 *   if (job === null) return; // importError says why
 */
import type { Ref } from 'vue';
import { toDisplayError, type DisplayError } from '../api/index.ts';

/** Runs `task` with `busy` true until it settles; resolves to its value, or to null with its failure in `error`. */
export function trackCall<T>(busy: Ref<boolean>, error: Ref<DisplayError | null>, task: () => Promise<T>): Promise<T | null> {
  return tracked(
    () => (busy.value = true),
    () => (busy.value = false),
    error,
    task,
  );
}

/** `trackCall` for a call about one item: `id` is in `pendingIds` until it settles (a button per row). */
export function trackItemCall<T>(pendingIds: Ref<Set<string>>, id: string, error: Ref<DisplayError | null>, task: () => Promise<T>): Promise<T | null> {
  return tracked(
    () => pendingIds.value.add(id),
    () => pendingIds.value.delete(id),
    error,
    task,
  );
}

async function tracked<T>(start: () => void, end: () => void, error: Ref<DisplayError | null>, task: () => Promise<T>): Promise<T | null> {
  start();
  try {
    return await task();
  } catch (caught) {
    error.value = toDisplayError(caught);
    return null;
  } finally {
    end();
  }
}
