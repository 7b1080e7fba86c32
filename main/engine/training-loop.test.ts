import { describe, expect, it } from 'vitest';
import { runTrainingLoop, type FamilyTrainer } from './training-loop.ts';

/** A family whose step records the call order, so the loop's schedule can be read back. */
function recorder(): FamilyTrainer<{ loss: number }> & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    step: async (step) => {
      calls.push(`step ${step}`);
      return { loss: 1 / step };
    },
    save: async (step) => void calls.push(`save ${step}`),
    sample: async (step) => void calls.push(`sample ${step}`),
  };
}

const hooks = (stopAt = Infinity) => {
  const seen: number[] = [];
  return {
    seen,
    stopRequested: () => seen.length >= stopAt,
    stop: (): never => {
      throw new Error('stopped');
    },
    stepped: (step: number) => void seen.push(step),
  };
};

describe('runTrainingLoop (the loop every model family shares)', () => {
  it('samples and saves every N steps and at the last one, from a resumed step', async () => {
    const trainer = recorder();
    const h = hooks();
    const result = await runTrainingLoop(trainer, { start: 2, steps: 7, checkpointEvery: 3, sampleEvery: 2, batchSize: 4 }, h);
    expect(trainer.calls).toEqual(['step 3', 'save 3', 'step 4', 'sample 4', 'step 5', 'step 6', 'sample 6', 'save 6', 'step 7', 'sample 7', 'save 7']);
    expect(h.seen).toEqual([3, 4, 5, 6, 7]);
    expect(result).toMatchObject({ reached: 7, last: { loss: 1 / 7 } });
  });

  it('on a stop, saves the steps done since the last checkpoint before throwing the stop', async () => {
    const trainer = recorder();
    await expect(runTrainingLoop(trainer, { start: 0, steps: 100, checkpointEvery: 10, sampleEvery: 10, batchSize: 4 }, hooks(4))).rejects.toThrow('stopped');
    expect(trainer.calls.slice(-2)).toEqual(['step 4', 'save 4']);
  });

  it('ends at the first step past its time budget, with a sample and a checkpoint there', async () => {
    const trainer = recorder();
    const result = await runTrainingLoop(trainer, { start: 0, steps: 1_000_000, minutes: 0, checkpointEvery: 100, sampleEvery: 100, batchSize: 4 }, hooks());
    expect(result.reached).toBe(1);
    expect(trainer.calls).toEqual(['step 1', 'sample 1', 'save 1']);
  });
});
