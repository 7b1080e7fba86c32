import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../main/contract/index.ts';
import { jobInputSchemas } from '../../../main/contract/index.ts';
import { checkImportInput, datasetOfImport, parseImportResult } from './datasets-import.ts';
import { jobRecord } from './testing/job-record.ts';

const importJob = (input: unknown): JobRecord => jobRecord({ kind: 'dataset-import', status: 'succeeded', input, attempts: 1 });

describe('dataset import', () => {
  it('checks the import form as the API would, field by field', () => {
    const good = { dataset: 'cats-2024', folder: '/home/me/cats', imageSize: 256, minSize: 32 };
    expect(checkImportInput(good)).toEqual({});
    expect(jobInputSchemas['dataset-import'].safeParse(good).success).toBe(true);
    expect(checkImportInput({ ...good, folder: 'C:\\pictures' })).toEqual({});

    const bad = checkImportInput({ dataset: '-cats', folder: 'cats', imageSize: 4, minSize: '' });
    expect(Object.keys(bad).sort()).toEqual(['dataset', 'folder', 'imageSize', 'minSize']);
    expect(checkImportInput({ ...good, imageSize: 256.5 }).imageSize).toBeDefined();
    expect(checkImportInput({ ...good, dataset: 'a'.repeat(65) }).dataset).toBeDefined();
  });

  it('reads an import result only when it has its shape, and the dataset from the job input', () => {
    const counts = { files: 10, imported: 6, rejected: 3, duplicate: 1, excluded: 0, captioned: 0, captions: 0, train: 0, val: 0, fewShot: 0 };
    const result = { dataset: 'cats', found: 10, unchanged: 0, imported: 6, rejected: 3, duplicate: 1, ignored: {}, seconds: 0.5, imagesPerSecond: 12, counts };
    expect(parseImportResult(result)).toBe(result);
    expect(parseImportResult({ ...result, imported: '6' })).toBeNull();
    expect(parseImportResult(null)).toBeNull();
    expect(datasetOfImport(importJob({ dataset: 'cats', folder: '/x' }))).toBe('cats');
    expect(datasetOfImport(importJob(null))).toBeNull();
  });
});
