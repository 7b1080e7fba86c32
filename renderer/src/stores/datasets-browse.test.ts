import { describe, expect, it } from 'vitest';
import { inputSchemas } from '../../../main/contract/index.ts';
import { DEFAULT_FILTER, imagesQuery, pagesCovering } from './datasets-browse.ts';

describe('dataset browser paging', () => {
  it('turns the filter into a datasets.images query the API accepts, leaving out what does not filter', () => {
    expect(imagesQuery('cats', DEFAULT_FILTER, 0, 500)).toEqual({ dataset: 'cats', offset: 0, limit: 500 });
    const query = imagesQuery('cats', { status: 'imported', captioned: 'no', split: 'val', fewShot: true }, 1000, 500);
    expect(query).toEqual({ dataset: 'cats', offset: 1000, limit: 500, status: 'imported', captioned: false, split: 'val', fewShot: true });
    expect(inputSchemas['datasets.images'].safeParse(query).success).toBe(true);
    expect(imagesQuery('cats', { ...DEFAULT_FILTER, captioned: 'yes' }, 0, 10).captioned).toBe(true);
  });

  it('names the pages that hold a range of indices, clipped to the total', () => {
    expect(pagesCovering(0, 99, null, 500)).toEqual([0]);
    expect(pagesCovering(480, 520, null, 500)).toEqual([0, 1]);
    expect(pagesCovering(480, 9_999, 700, 500)).toEqual([0, 1]);
    expect(pagesCovering(800, 900, 700, 500)).toEqual([]);
    expect(pagesCovering(0, 10, 0, 500)).toEqual([]);
  });
});
