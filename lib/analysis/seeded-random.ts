/**
 * A small seeded pseudo-random generator, so that simulations (the coverage tests of the
 * intervals, `--repeats auto`'s rule) give the same numbers on every run and every machine.
 */

/** Uniform numbers in [0, 1), the same sequence for the same seed. */
export type RandomSource = () => number;

/**
 * SplitMix32: a 32-bit state advanced by the golden-ratio increment, then mixed (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014, with 32-bit constants).
 * Not for cryptography; plenty for a few million simulated draws.
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 2 ** 32;
  };
}
