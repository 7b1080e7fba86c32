/** Training runs and their evaluations for the Runs store tests. */
import type { EvaluationRecord, RunSummary } from '../../../../main/contract/index.ts';

/** A finished tiny run of 8 steps on `shapes`. */
export const runSummary = (id: string): RunSummary => ({
  id,
  status: 'succeeded',
  family: 'gan',
  dataset: 'shapes',
  model: 'shapes-clip',
  preset: 'tiny',
  pseudo: 'gaussian',
  steps: 8,
  step: 8,
  backend: 'wasm',
  device: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  last: null,
  samples: 2,
  hasCheckpoint: true,
  init: null,
  pseudoRun: null,
  nn: null,
});

/** An evaluation of `run` at `step`, made `minute` minutes past the hour (FD and CLIP score 0 unless given). */
export const evaluation = (run: string, step: number, minute: number, metrics: Record<string, number>): EvaluationRecord => ({
  id: `${run}-${step}-${minute}`,
  run,
  step,
  images: 20,
  prompts: null,
  metrics: { fdClip: 0, clipScore: 0, ...metrics } as EvaluationRecord['metrics'],
  createdAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
});
