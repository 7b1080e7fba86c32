/**
 * The dataset browser's paging: its filter in the words of its controls, the
 * `datasets.images` query for one page under it, and the pages a range of rows needs.
 * Pure: no store, no API.
 *
 * @example
 *   for (const page of pagesCovering(480, 520, total)) await api.call('datasets.images', imagesQuery('cats', DEFAULT_FILTER, page * PAGE_SIZE, PAGE_SIZE));
 */
import type { ImageStatus, Input, Split } from '../../../main/contract/index.ts';

/** Image rows per `datasets.images` call (the API takes at most 1000). */
export const PAGE_SIZE = 500;

/** The image browser's filter, in the words of its controls. */
export interface ImageFilter {
  status: ImageStatus | 'all';
  captioned: 'any' | 'yes' | 'no';
  split: Split | 'any';
  /** Only the few-shot subset. */
  fewShot: boolean;
}

export const DEFAULT_FILTER: Readonly<ImageFilter> = { status: 'all', captioned: 'any', split: 'any', fewShot: false };

/** The `datasets.images` input for one page under a filter. */
export function imagesQuery(dataset: string, filter: ImageFilter, offset: number, limit: number): Input<'datasets.images'> {
  return {
    dataset,
    offset,
    limit,
    ...(filter.status !== 'all' && { status: filter.status }),
    ...(filter.captioned !== 'any' && { captioned: filter.captioned === 'yes' }),
    ...(filter.split !== 'any' && { split: filter.split }),
    ...(filter.fewShot && { fewShot: true }),
  };
}

/** The pages holding image indices `first` to `last` (inclusive), clipped to `total` when it is known. */
export function pagesCovering(first: number, last: number, total: number | null, pageSize: number = PAGE_SIZE): number[] {
  const end = total === null ? last : Math.min(last, total - 1);
  if (end < first || first < 0) return [];
  const pages: number[] = [];
  for (let page = Math.floor(first / pageSize); page <= Math.floor(end / pageSize); page++) pages.push(page);
  return pages;
}
