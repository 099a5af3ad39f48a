/**
 * Seeded draws for the coverage simulations: normal and lognormal values with a given mean and
 * coefficient of variation, optionally sharing a per-repeat effect (paired designs).
 */
import { seededRandom, type RandomSource } from '../../lib/analysis/seeded-random.js';

/** A standard normal draw source (Box-Muller on the seeded uniform generator). */
export function normalSource(seed: number): () => number {
  const random: RandomSource = seededRandom(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - random(); // in (0, 1]: the logarithm stays finite
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** The shape of the simulated values. */
export type Distribution = 'normal' | 'lognormal';

/** One value of mean `mean` and coefficient of variation `cv` from a standard normal deviate `z`. */
export function valueOf(distribution: Distribution, mean: number, cv: number, z: number): number {
  if (distribution === 'normal') return mean * (1 + cv * z);
  // lognormal with the given arithmetic mean and CV: sigma² = ln(1 + cv²), location shifted by −sigma²/2
  const sigma = Math.sqrt(Math.log(1 + cv * cv));
  return mean * Math.exp(sigma * z - (sigma * sigma) / 2);
}

/** n independent values. */
export function sample(
  normal: () => number,
  distribution: Distribution,
  mean: number,
  cv: number,
  n: number,
): number[] {
  return Array.from({ length: n }, () => valueOf(distribution, mean, cv, normal()));
}

/**
 * Values of several quantities measured in the same n repeats: each repeat's deviate is a shared
 * part (correlation `rho`) plus the quantity's own, so the marginals keep their mean and CV.
 */
export function pairedSamples(
  normal: () => number,
  distribution: Distribution,
  means: readonly number[],
  cv: number,
  n: number,
  rho: number,
): number[][] {
  const columns = means.map(() => [] as number[]);
  for (let repeat = 0; repeat < n; repeat += 1) {
    const shared = normal();
    means.forEach((mean, index) =>
      columns[index]!.push(valueOf(distribution, mean, cv, Math.sqrt(rho) * shared + Math.sqrt(1 - rho) * normal())),
    );
  }
  return columns;
}
