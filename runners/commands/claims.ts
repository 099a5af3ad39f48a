/**
 * `guestbench claims`: every quantitative claim of the thesis (data/thesis/claims.jsonl) against the
 * campaigns of its experiments, one line per claim (docs/claims.md).
 */
import { campaignList } from '../../lib/analysis/choose-campaign.js';
import { claimLine } from '../../lib/analysis/claims/claim-text.js';
import { evaluateChosenClaims } from '../../lib/analysis/claims/chosen-claims.js';
import { countVerdicts } from '../../lib/analysis/claims/evaluate-claims.js';
import { CLAIM_VERDICTS } from '../../lib/analysis/claims/claim-verdict.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir } from '../../lib/util/paths.js';
import type { Command } from '../cli.js';

function namedCampaigns(value: string | boolean | undefined): string[] {
  if (value === undefined) return [];
  const named = campaignList(typeof value === 'string' ? value : '');
  if (named.length === 0)
    throw new UsageError('Expected `--campaign` with one or more campaign ids', {
      fix: 'for example `guestbench claims --campaign 2026-12-02T01-20-32Z-d09e,2026-11-22T00-50-57Z-8d6d`',
    });
  return named;
}

export const claimsCommand: Command = {
  name: 'claims',
  summary: "check the thesis's quantitative claims against campaigns (holds, fails, inconclusive, not measured)",
  usage: `Usage: guestbench claims [--campaign ID[,ID...]] [--results DIR] [--json]

Evaluates every claim of data/thesis/claims.jsonl (chapters 4-7 of the thesis) against the campaign
of its experiment and prints one line per claim: its verdict, section and claim, ours with a 95%
interval and the thesis's value. A claim holds when the whole interval lies in the band its tolerance
allows, fails when the whole interval lies outside it, is inconclusive when the interval crosses the
band's edge (or there are too few repeats for one), and is not measured when the campaign cannot
answer it (backend not run, guest count not reached, VMs under TCG set against containers).
Without --campaign each experiment gets the campaign the report would show: the best one under
--results, or the committed examples when there is none (docs/claims.md).

Options:
  --campaign LIST   campaign ids (under --results) or directories, comma-separated; one per experiment
  --results DIR     results directory (default: $GUESTBENCH_RESULTS or ./results)
  --json            the evaluations as JSON instead of lines
  -h, --help        show this help`,
  options: {
    campaign: { type: 'string' },
    results: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const named = namedCampaigns(values.campaign);
    const resultsDir = typeof values.results === 'string' ? values.results : defaultResultsDir();
    const { results, experiments, chosen } = evaluateChosenClaims({ named, resultsDir });
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const experiment of experiments) {
      const choice = chosen.byExperiment[experiment];
      if (choice) lines.push(`${experiment}: campaign ${choice.campaign.meta.id} (${choice.origin})`);
    }
    for (const note of chosen.notes) lines.push(`note: ${note}`);
    lines.push('', ...results.map(claimLine), '');
    const counts = countVerdicts(results);
    lines.push(
      `${results.length} claims: ${CLAIM_VERDICTS.map((verdict) => `${counts[verdict]} ${verdict}`).join(', ')}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
