/**
 * The address bar's hash as reactive state: the current view's parameter (`#/training/<run>`:
 * the run) and navigation. Views use this; router.ts maps the hash to a view.
 */
import { computed, ref } from 'vue';

/** The parts of a hash: the view id and what follows it (`#/training/<run>`: the run), or null. */
export function partsOfHash(hash: string): { id: string; param: string | null } {
  const [id = '', param] = hash.replace(/^#\/?/, '').split('?')[0]!.split('/');
  return { id, param: param ? decodeURIComponent(param) : null };
}

/** The address bar's hash, kept current by `listen`. */
export const currentHash = ref(window.location.hash);
let listening = false;

/** Follows `hashchange` into `currentHash` (once, on first use). */
export function listen(): void {
  if (listening) return;
  listening = true;
  window.addEventListener('hashchange', () => {
    currentHash.value = window.location.hash;
  });
}

/** What follows the view in the hash (`#/training/<run>`: the run id), or null. */
export function useRouteParam() {
  listen();
  return computed(() => partsOfHash(currentHash.value).param);
}

/** Goes to a hash link, e.g. `#/training/<run>`. */
export function navigate(href: string): void {
  window.location.hash = href;
}
