/** Seeded randomness shared by the engine: the same seed gives the same pictures, models and tests. */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger): a small, fast 32-bit generator. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed for TensorFlow.js's random ops. tfjs treats a seed of 0 as "no seed" and draws from
 * Math.random, so seed 0 (our default) would give different numbers on every run: shift by one.
 */
export const tfSeed = (seed: number | undefined): number | undefined => (seed === undefined ? undefined : (seed >>> 0) + 1);
