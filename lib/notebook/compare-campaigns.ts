/**
 * The two campaigns notebooks/07-compare.ipynb compares: its `campaign` parameter ("A,B"), else
 * `$GUESTBENCH_COMPARE_A` and `$GUESTBENCH_COMPARE_B` (ids under the results directory, or
 * directories), or, with none given, two committed example campaigns of density-cpu, labelled as
 * examples.
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

/** The notebook's parameters: `campaign` "A,B" (two ids or directories); `results`, where ids are looked up. */
export interface ComparisonParameters {
  campaign?: string;
  results?: string;
}

/**
 * The pair to compare: the parameters' campaigns when they are two, else `$GUESTBENCH_COMPARE_A`
 * and `$GUESTBENCH_COMPARE_B`, else the committed example pair; a UsageError when only one
 * variable is set.
 */
export function comparisonCampaigns(
  parameters: ComparisonParameters = {},
  env: Record<string, string | undefined> = process.env,
): ComparisonCampaigns {
  const named = (parameters.campaign ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  // a report hands every notebook all its campaigns: only a pair is taken as the one to compare
  const [fromParameters, a, b] =
    named.length === 2 ? [true, named[0], named[1]] : [false, env.GUESTBENCH_COMPARE_A, env.GUESTBENCH_COMPARE_B];
  const passedOver =
    named.length > 0 && !fromParameters
      ? ` (the campaign parameter names ${named.length} campaign(s), not a pair A,B, so it is not used)`
      : '';
  const resultsDir = parameters.results || env.GUESTBENCH_RESULTS;
  if (a === undefined && b === undefined) {
    const fixtures = path.join(packageRoot(), 'test', 'fixtures', 'campaigns');
    return {
      a: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[0])),
      b: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[1])),
      example: true,
      note:
        'EXAMPLE: no campaigns named (the `campaign` parameter, or GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B), so this shows two committed example ' +
        `campaigns (${EXAMPLE_COMPARISON.join(' and ')}), not yours${passedOver}`,
    };
  }
  if (a === undefined || b === undefined) {
    throw new UsageError(`Only ${a === undefined ? 'GUESTBENCH_COMPARE_B' : 'GUESTBENCH_COMPARE_A'} is set`, {
      fix: 'set both GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B (campaign ids or directories), or neither',
    });
  }
  const options = resultsDir ? { resultsDir } : {};
  return {
    a: loadCampaign(a, options),
    b: loadCampaign(b, options),
    example: false,
    note: fromParameters
      ? `A = ${a} and B = ${b} (the campaign parameter)`
      : `A = ${a} and B = ${b} (GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B)${passedOver}`,
  };
}
