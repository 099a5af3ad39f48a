/**
 * The two campaigns notebooks/07-compare.ipynb compares: `$GUESTBENCH_COMPARE_A` and
 * `$GUESTBENCH_COMPARE_B` (ids under `$GUESTBENCH_RESULTS` or directories), or, with neither set,
 * two committed example campaigns of density-cpu, labelled as examples.
 */
import * as path from 'node:path';
import { loadCampaign, type LoadedCampaign } from '../analysis/load-campaign.js';
import { UsageError } from '../util/errors.js';
import { packageRoot } from '../util/paths.js';

/** The committed example pair: density-cpu quick campaigns on two hosts (Intel Xeon, AMD EPYC). */
export const EXAMPLE_COMPARISON = ['2026-11-21T23-53-45Z-04de', '2026-12-02T01-20-32Z-d09e'] as const;

/** The pair to compare, and whether it is the committed example. */
export interface ComparisonCampaigns {
  a: LoadedCampaign;
  b: LoadedCampaign;
  /** true: neither variable was set and the committed example campaigns are shown */
  example: boolean;
  /** one sentence saying where the two campaigns came from */
  note: string;
}

/** Reads the pair from the environment (or the example pair); a UsageError when only one is set. */
export function comparisonCampaigns(env: Record<string, string | undefined> = process.env): ComparisonCampaigns {
  const a = env.GUESTBENCH_COMPARE_A;
  const b = env.GUESTBENCH_COMPARE_B;
  const resultsDir = env.GUESTBENCH_RESULTS;
  if (a === undefined && b === undefined) {
    const fixtures = path.join(packageRoot(), 'test', 'fixtures', 'campaigns');
    return {
      a: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[0])),
      b: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[1])),
      example: true,
      note:
        'EXAMPLE: GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B are not set, so this shows two committed example ' +
        `campaigns (${EXAMPLE_COMPARISON.join(' and ')}), not yours`,
    };
  }
  if (a === undefined || b === undefined) {
    throw new UsageError(`Only ${a === undefined ? 'GUESTBENCH_COMPARE_B' : 'GUESTBENCH_COMPARE_A'} is set`, {
      fix: 'set both GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B (campaign ids or directories), or neither',
    });
  }
  const options = resultsDir === undefined ? {} : { resultsDir };
  return {
    a: loadCampaign(a, options),
    b: loadCampaign(b, options),
    example: false,
    note: `A = ${a} and B = ${b} (GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B)`,
  };
}
