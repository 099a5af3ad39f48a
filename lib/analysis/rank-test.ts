/**
 * The Mann-Whitney U rank test (Wilcoxon rank-sum), two-sided: do the values of two independent
 * samples tend to differ in size? No assumption of normality, which a handful of repeats could not
 * check anyway (docs/statistics.md).
 */

/** How the p-value was computed. */
export type RankTestMethod = 'exact' | 'normal';

/** The outcome of {@link mannWhitneyU}. */
export interface RankTestResult {
  /** U of the first sample: pairs (x of a, y of b) with x > y, ties counting one half */
  u: number;
  /** two-sided p-value */
  p: number;
  /**
   * 'exact': the permutation distribution of U itself: without ties for samples of up to
   * EXACT_MAX_N values each; with ties (midranks) while the splits of the pooled values number at
   * most EXACT_TIES_MAX_SPLITS; 'normal': the normal approximation with the tie correction and a
   * continuity correction, beyond those sizes
   */
  method: RankTestMethod;
}

/** The exact distribution is used up to this many values per sample (and no ties). */
export const EXACT_MAX_N = 50;

/**
 * With ties, the exact permutation distribution is used while C(m+n, m) is at most this (10
 * against 10 values: 184756 splits): every count stays an exact integer in double precision, and
 * the count by rank sum takes well under a millisecond.
 */
export const EXACT_TIES_MAX_SPLITS = 1_000_000;

/** Φ(-z) = P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

// Chebyshev fit of erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes, 2nd ed., §6.2)
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * P(U = u) for u = 0..m·n, samples of m and n values without ties, by the recursion
 * P(m, n, u) = m/(m+n)·P(m-1, n, u-n) + n/(m+n)·P(m, n-1, u) (the largest value belongs to one
 * sample or the other).
 */
export function exactUDistribution(m: number, n: number): Float64Array {
  // rows[j] holds P(i, j, ·) for the current i
  let rows: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i += 1) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= n; j += 1) {
      const current = new Float64Array(i * j + 1);
      const fromA = rows[j] as Float64Array; // P(i-1, j, ·), shifted by j
      const fromB = next[j - 1] as Float64Array; // P(i, j-1, ·)
      for (let u = 0; u <= i * j; u += 1) {
        const a = u >= j ? (fromA[u - j] ?? 0) : 0;
        const b = fromB[u] ?? 0;
        current[u] = (i / (i + j)) * a + (j / (i + j)) * b;
      }
      next.push(current);
    }
    rows = next;
  }
  return rows[n] as Float64Array;
}

// a comparison tests hundreds of cells of the same repeat counts: each distribution is built once
const distributions = new Map<string, Float64Array>();
function cachedUDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const known = distributions.get(key);
  if (known) return known;
  const built = exactUDistribution(m, n);
  distributions.set(key, built);
  return built;
}

/** Midranks (1-based) of all values, and the sizes of the groups of tied values. */
function ranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const result = new Array<number>(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end += 1;
    const midrank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) result[order[k]!.index] = midrank;
    if (end > start) ties.push(end - start + 1);
    start = end + 1;
  }
  return { ranks: result, ties };
}

/** C(m+n, m): the ways to split m + n values into samples of m and n. */
function splits(m: number, n: number): number {
  let count = 1;
  for (let k = 1; k <= Math.min(m, n); k += 1) count = (count * (Math.max(m, n) + k)) / k;
  return count;
}

/**
 * Exact two-sided p of the rank sum of the first m of `doubledRanks` (midranks times 2, so whole
 * numbers) over every split of the pooled values into m and the rest: the share of splits whose
 * rank sum lies at least as far from its mean as the observed one. The count of subsets of each
 * size and sum is built one value at a time.
 */
function exactTiedP(doubledRanks: readonly number[], m: number): number {
  const total = doubledRanks.reduce((sum, rank) => sum + rank, 0);
  // ways[k][s]: subsets of k of the values seen so far whose doubled ranks sum to s
  const ways = Array.from({ length: m + 1 }, () => new Float64Array(total + 1));
  (ways[0] as Float64Array)[0] = 1;
  for (const rank of doubledRanks)
    for (let k = m; k >= 1; k -= 1) {
      const into = ways[k] as Float64Array;
      const from = ways[k - 1] as Float64Array;
      for (let sum = total; sum >= rank; sum -= 1) into[sum] = (into[sum] as number) + (from[sum - rank] as number);
    }
  const observed = doubledRanks.slice(0, m).reduce((sum, rank) => sum + rank, 0);
  // the mean rank sum of m values, m·(m+n+1)/2, doubled: a whole number like every doubled sum
  const center = m * (doubledRanks.length + 1);
  const distance = Math.abs(observed - center);
  const row = ways[m] as Float64Array;
  let extreme = 0;
  let all = 0;
  for (let sum = 0; sum <= total; sum += 1) {
    const count = row[sum] as number;
    all += count;
    if (Math.abs(sum - center) >= distance) extreme += count;
  }
  return Math.min(1, extreme / all);
}

/**
 * The smallest two-sided p-value the exact test can give for samples of m and n values:
 * 2 / C(m+n, m) (all of one sample above all of the other). When it is not below alpha, no
 * outcome of these sizes could be significant.
 */
export function smallestP(m: number, n: number): number {
  if (m === 0 || n === 0) return 1;
  return Math.min(1, 2 / splits(m, n));
}

/**
 * Two-sided Mann-Whitney U test of `a` against `b` (each at least one value). Exact without ties
 * up to EXACT_MAX_N values per sample; exact on midranks with ties up to EXACT_TIES_MAX_SPLITS
 * splits (the normal approximation would give 3 against 3 values a p below the smallest the test
 * can reach); otherwise the normal approximation with tie and continuity corrections. With every
 * value tied there is no evidence of a difference: p = 1.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): RankTestResult {
  const m = a.length;
  const n = b.length;
  if (m === 0 || n === 0) throw new RangeError('a rank test needs at least one value in each sample');
  const { ranks: all, ties } = ranks([...a, ...b]);
  const rankSumA = all.slice(0, m).reduce((sum, rank) => sum + rank, 0);
  const u = rankSumA - (m * (m + 1)) / 2;
  // the larger of U and its complement: the test is symmetric
  const big = Math.max(u, m * n - u);
  if (ties.length === 0 && m <= EXACT_MAX_N && n <= EXACT_MAX_N) {
    const distribution = cachedUDistribution(m, n);
    let upper = 0;
    for (let k = Math.round(big); k <= m * n; k += 1) upper += distribution[k] ?? 0;
    return { u, p: Math.min(1, 2 * upper), method: 'exact' };
  }
  if (ties.length > 0 && splits(m, n) <= EXACT_TIES_MAX_SPLITS)
    return {
      u,
      p: exactTiedP(
        all.map((rank) => rank * 2),
        m,
      ),
      method: 'exact',
    };
  const total = m + n;
  const tieTerm = ties.reduce((sum, t) => sum + (t ** 3 - t), 0);
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return { u, p: 1, method: 'normal' };
  const z = (big - (m * n) / 2 - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, 2 * normalSf(z)), method: 'normal' };
}
