/**
 * When the trainer brings in retrieval features (Lafite2 §3.3): training starts from Gaussian
 * pseudo features and moves to retrieval features, either linearly over a span of steps or in
 * steps. The schedule gives the share of samples that use retrieval features at a step; the
 * trainer draws per sample with that probability.
 *
 * @example
 *   retrievalShare({ kind: 'linear', startStep: 1000, endStep: 5000 }, 3000)  // 0.5
 */
import type { PseudoSchedule } from '../../contract/index.ts';

/** linear: from 0 at `startStep` to `finalShare` (default 1) at `endStep`; steps: `share` from each `atStep` on, 0 before the first (the API's schema). */
export type { PseudoSchedule };

export function validateSchedule(schedule: PseudoSchedule): void {
  if (schedule.kind === 'linear') {
    if (!(schedule.endStep > schedule.startStep && schedule.startStep >= 0)) throw new RangeError('a linear schedule needs 0 ≤ startStep < endStep');
    const final = schedule.finalShare ?? 1;
    if (!(final >= 0 && final <= 1)) throw new RangeError('finalShare must be in [0, 1]');
    return;
  }
  schedule.points.forEach((point, i) => {
    if (!(point.share >= 0 && point.share <= 1)) throw new RangeError(`point ${i + 1}: share must be in [0, 1]`);
    if (i > 0 && point.atStep <= schedule.points[i - 1]!.atStep) throw new RangeError(`point ${i + 1}: steps must increase`);
  });
}

/** The share of samples conditioned on retrieval features at `step` (the rest use Gaussian features). */
export function retrievalShare(schedule: PseudoSchedule, step: number): number {
  if (schedule.kind === 'linear') {
    const t = (step - schedule.startStep) / (schedule.endStep - schedule.startStep);
    return Math.min(1, Math.max(0, t)) * (schedule.finalShare ?? 1);
  }
  let share = 0;
  for (const point of schedule.points) if (step >= point.atStep) share = point.share;
  return share;
}
