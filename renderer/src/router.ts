/**
 * A tiny hash router: `#/jobs` shows the Jobs view, `#/training/<run>` the Training view on one
 * run. The current hash is a ref that follows `hashchange`; unknown hashes show the first view.
 */
import { computed, type Component } from 'vue';
import { currentHash, listen, partsOfHash } from './hash.ts';
import CompareView from './views/CompareView.vue';
import DatasetsView from './views/DatasetsView.vue';
import GalleryView from './views/GalleryView.vue';
import JobsView from './views/JobsView.vue';
import ModelsView from './views/ModelsView.vue';
import PlaygroundView from './views/PlaygroundView.vue';
import PseudoCaptionsView from './views/PseudoCaptionsView.vue';
import RunsView from './views/RunsView.vue';
import TrainingView from './views/TrainingView.vue';
import VocabularyView from './views/VocabularyView.vue';

export interface Route {
  /** The hash path: `#/<id>`. */
  id: string;
  /** The navigation label and the window title. */
  title: string;
  /** Navigation group the entry is listed under. */
  group: 'Domain' | 'Model' | 'System';
  component: Component;
}

export const ROUTES: readonly Route[] = [
  { id: 'datasets', title: 'Datasets', group: 'Domain', component: DatasetsView },
  { id: 'vocabulary', title: 'Vocabulary & Templates', group: 'Domain', component: VocabularyView },
  { id: 'pseudo-captions', title: 'Pseudo-captions', group: 'Domain', component: PseudoCaptionsView },
  { id: 'models', title: 'Models', group: 'Model', component: ModelsView },
  { id: 'training', title: 'Training', group: 'Model', component: TrainingView },
  { id: 'playground', title: 'Playground', group: 'Model', component: PlaygroundView },
  { id: 'gallery', title: 'Gallery', group: 'Model', component: GalleryView },
  { id: 'compare', title: 'Compare', group: 'Model', component: CompareView },
  { id: 'runs', title: 'Runs', group: 'Model', component: RunsView },
  { id: 'jobs', title: 'Jobs', group: 'System', component: JobsView },
];

const DEFAULT_ROUTE = ROUTES[0] as Route;

function routeFromHash(hash: string): Route {
  const { id } = partsOfHash(hash);
  return ROUTES.find((route) => route.id === id) ?? DEFAULT_ROUTE;
}

/** The current route, following the address bar's hash. */
export function useRoute() {
  listen();
  return computed(() => routeFromHash(currentHash.value));
}

/** The link to a view. */
export const hrefOf = (route: Route): string => `#/${route.id}`;
