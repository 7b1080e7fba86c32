import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../main/contract/index.ts';
import { modelOfEval, parseEvalResult, registryIdOfDownload } from './model-jobs.ts';
import { jobRecord } from './testing/job-record.ts';

const job = (kind: JobRecord['kind'], input: unknown): JobRecord => jobRecord({ kind, status: 'running', input, attempts: 1 });

describe('model jobs', () => {
  it('reads the model a download or an evaluation is about from its input', () => {
    expect(registryIdOfDownload(job('model-download', { id: 'clip-vit-b32' }))).toBe('clip-vit-b32');
    expect(modelOfEval(job('model-eval', { model: 'shapes-clip', n: 200 }))).toBe('shapes-clip');
    expect(modelOfEval(job('model-eval', null))).toBeNull();
    expect(registryIdOfDownload(job('model-download', { id: 7 }))).toBeNull();
  });

  it('accepts an evaluation result only with every figure', () => {
    const result = {
      model: 'shapes-clip',
      seed: 999,
      imageSize: 64,
      images: 200,
      colorAccuracy: 0.99,
      shapeAccuracy: 0.2,
      colorShapeAccuracy: 0.2,
      meanImageTextCosine: 0.8,
      meanTextTextCosine: 0.03,
      meanImageImageCosine: 0.08,
      modalityGap: 0.34,
      seconds: 1.8,
    };
    expect(parseEvalResult(result)).toEqual(result);
    expect(parseEvalResult({ ...result, modalityGap: undefined })).toBeNull();
    expect(parseEvalResult('done')).toBeNull();
  });
});
