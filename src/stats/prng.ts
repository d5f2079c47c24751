/**
 * A small seeded pseudo-random generator, so that every resampling result (bootstrap
 * intervals, permutation p-values, simulations) can be reproduced from its recorded seed.
 *
 * mulberry32 (Tommy Ettinger, public domain): 32 bits of state, period 2^32, passes
 * gjrand and PractRand to 2^32 outputs — ample for a few million draws per comparison.
 */

/** Uniform numbers in [0, 1). */
export type Rng = () => number;

/** The seed used when the caller gives none; it is recorded with every result. */
export const DEFAULT_SEED = 1;

/** A generator from a 32-bit seed (other numbers are reduced modulo 2^32). */
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

/** A derived seed for the i-th independent stream of a seed (e.g. one per metric). */
export function deriveSeed(seed: number, i: number): number {
  // One round of the splitmix32 finaliser over seed and index.
  let z = (seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Standard normal draws (Box–Muller, polar form); each call to the returned function gives one. */
export function normalSampler(rng: Rng): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * rng() - 1;
      v = 2 * rng() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = v * f;
    return u * f;
  };
}
