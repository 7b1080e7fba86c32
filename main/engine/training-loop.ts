/**
 * The training loop every model family shares (the conditional StyleGAN2 now, the diffusion
 * model next): steps until the asked count or a time budget, a sample grid and a checkpoint every
 * N steps and at the end, and a stop (pause, cancel) honoured between steps after the steps done
 * since the last checkpoint are saved, so nothing trained is lost. The family says how to take a
 * step, save and sample; the caller (a job) says where things go and whether to stop.
 *
 * @example
 *   const { reached } = await runTrainingLoop(trainer, { start: 0, steps: 2000, checkpointEvery: 100, sampleEvery: 100, batchSize: 8 }, hooks);
 */

/** What a model family's trainer offers the loop. */
export interface FamilyTrainer<Losses> {
  /** One optimisation step (the family draws its own batch for `step`, so a step is a function of the run's seed and `step`). */
  step(step: number): Promise<Losses>;
  /** Writes everything a resume needs at `step` (and what the family keeps per step, e.g. G_ema snapshots). */
  save(step: number): Promise<void>;
  /** Draws the run's fixed sample grid at `step`. */
  sample(step: number): Promise<void>;
}

export interface LoopOptions {
  /** The step already reached (0, or a resumed checkpoint's). */
  start: number;
  /** The last step to train. */
  steps: number;
  /** A time budget for this attempt: the loop ends at the first step past it, with a sample and a checkpoint. */
  minutes?: number;
  checkpointEvery: number;
  sampleEvery: number;
  /** Images per step, for the images/s figure. */
  batchSize: number;
}

/** How far a loop is, for progress reports. */
export interface LoopProgress {
  /** Done fraction: of the steps, or of the time budget, whichever is further. */
  fraction: number;
  imagesPerSecond: number;
}

export interface LoopHooks<Losses> {
  /** Asked before every step: true stops the loop (after a checkpoint of the steps done since the last one). */
  stopRequested(): boolean;
  /** Called once the stop's checkpoint is written; throws the stop (a job's cancel or pause). */
  stop(): never;
  /** After every step: metrics and progress. */
  stepped(step: number, losses: Losses, progress: LoopProgress): void;
}

export interface LoopResult<Losses> {
  /** The step reached (below `steps` when the time budget ended the loop). */
  reached: number;
  last: Losses | undefined;
  seconds: number;
  imagesPerSecond: number;
}

export async function runTrainingLoop<Losses>(trainer: FamilyTrainer<Losses>, options: LoopOptions, hooks: LoopHooks<Losses>): Promise<LoopResult<Losses>> {
  const started = performance.now();
  const deadline = options.minutes !== undefined ? started + options.minutes * 60_000 : Infinity;
  const imagesPerSecond = (done: number): number => (done * options.batchSize) / Math.max((performance.now() - started) / 1000, 1e-9);
  let saved = options.start;
  let reached = options.start;
  let last: Losses | undefined;
  const save = async (step: number): Promise<void> => {
    await trainer.save(step);
    saved = step;
  };
  for (let step = options.start + 1; step <= options.steps; step++) {
    if (hooks.stopRequested()) {
      // Paused or cancelled: keep the steps done since the last checkpoint (a resume goes on from here).
      if (step - 1 > saved) await save(step - 1);
      hooks.stop();
    }
    last = await trainer.step(step);
    reached = step;
    const outOfTime = performance.now() >= deadline;
    const fraction = Math.max(step / options.steps, Math.min(1, (performance.now() - started) / (deadline - started)));
    hooks.stepped(step, last, { fraction, imagesPerSecond: imagesPerSecond(step - options.start) });
    const final = step === options.steps || outOfTime;
    if (step % options.sampleEvery === 0 || final) await trainer.sample(step);
    if (step % options.checkpointEvery === 0 || final) await save(step);
    if (outOfTime) break;
  }
  const seconds = (performance.now() - started) / 1000;
  return { reached, last, seconds, imagesPerSecond: ((reached - options.start) * options.batchSize) / Math.max(seconds, 1e-9) };
}
