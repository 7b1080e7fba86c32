import { describe, expect, it } from 'vitest';
import { JOB_KINDS, jobLabel, jobProgressText, jobSubject } from './index.ts';
import { JOB_LABELS } from './job-labels.ts';

describe('jobs in words', () => {
  it('labels every job kind', () => {
    expect(JOB_KINDS.filter((kind) => !JOB_LABELS[kind])).toEqual([]);
    expect(jobLabel('gan-generate')).toBe('Generate images');
  });

  it('says what a job works on: its prompt, dataset, run', () => {
    const run = '974df643-1111-2222-3333-444444444444';
    expect(jobSubject({ kind: 'gan-generate', input: { run, prompt: 'two red circles' } })).toBe('“two red circles” · run 974df643');
    expect(jobSubject({ kind: 'gan-eval', input: { run, prompts: ['a', 'b'] } })).toBe('2 prompts · run 974df643');
    expect(jobSubject({ kind: 'diffusion-train', input: { dataset: 'emoji', preset: 'tiny' } })).toBe('dataset emoji · tiny');
    expect(jobSubject({ kind: 'gan-generate', input: { run, prompt: 'x'.repeat(80) } }, 10)).toBe(`“${'x'.repeat(9)}…” · run 974df643`);
    expect(jobSubject({ kind: 'backend-benchmark', input: {} })).toBe('');
  });

  it('reads a finished job as done, whatever its last phase said', () => {
    expect(jobProgressText({ status: 'succeeded', progress: { fraction: 0.9, message: 'writing PNGs' } })).toBe('done');
    expect(jobProgressText({ status: 'running', progress: { fraction: 0.42, message: 'encoding prompts' } })).toBe('42% encoding prompts');
  });
});
