/**
 * `guestbench claims`: every quantitative claim of the thesis (data/thesis/claims.jsonl) against the
 * campaigns of its experiments, one line per claim (docs/claims.md).
 */
import { campaignList } from '../../lib/analysis/choose-campaign.js';
import { claimLine, durationText } from '../../lib/analysis/claims/claim-text.js';
import { evaluateChosenClaims } from '../../lib/analysis/claims/chosen-claims.js';
import { claimsOverview, type ClaimsOverview } from '../../lib/analysis/claims/claims-overview.js';
import { countsLine } from '../../lib/analysis/claims/evaluate-claims.js';
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

/** The overview in one line: decided, inconclusive, cannot be decided here, need a longer campaign. */
function overviewLine(overview: ClaimsOverview): string {
  return `counted once per quantity: ${overview.decided} decided (${overview.holds} holds, ${overview.fails} fails), ${overview.inconclusive} inconclusive, ${overview.cannotDecide.count} cannot be decided on this host, ${overview.needLonger.count} need a longer campaign (\`guestbench claims --plan\`)`;
}

/** The --plan output: the campaigns that would decide what can be decided here, then what cannot. */
function planLines(overview: ClaimsOverview): string[] {
  const lines = [`${overview.needLonger.count} claims need a longer campaign; these would decide them on this host:`];
  for (const command of overview.needLonger.commands)
    lines.push(`  ${command.command}   # ${durationText(command.seconds)}; ${command.claims.join(', ')}`);
  lines.push(
    `total: ${durationText(overview.needLonger.seconds)} (estimated from the per-cell times recorded in the campaigns under --results and the committed examples)`,
  );
  lines.push('', `${overview.cannotDecide.count} claims cannot be decided on this host:`);
  for (const limit of overview.cannotDecide.reasons) lines.push(`  ${limit.why}: ${limit.claims.join(', ')}`);
  return lines;
}

export const claimsCommand: Command = {
  name: 'claims',
  summary: "check the thesis's quantitative claims against campaigns (holds, fails, inconclusive, not measured)",
  usage: `Usage: guestbench claims [--campaign ID[,ID...]] [--results DIR] [--json] [--plan]

Evaluates every claim of data/thesis/claims.jsonl (chapters 4-7 of the thesis) against the campaign
of its experiment and prints one line per claim: its verdict, section and claim, ours with a 95%
interval and the thesis's value. A claim holds when the whole interval lies in the band its tolerance
allows, fails when the whole interval lies outside it, is inconclusive when the interval crosses the
band's edge (or there are too few repeats for one), and is not measured when the campaign cannot
answer it (backend not run, guest count not reached, a VM under TCG that is not a shape across N);
each line names the accelerators its numbers came from and, for a claim left undecided, the campaign
that would decide it here with its estimated time, or why this host cannot. A chapter-7 restatement
and the claims of one quantity count once. Without --campaign each experiment gets the campaign the report would show: the best one under
--results, or the committed examples when there is none (docs/claims.md).

Options:
  --campaign LIST   campaign ids (under --results) or directories, comma-separated; one per experiment
  --results DIR     results directory (default: $GUESTBENCH_RESULTS or ./results)
  --json            the evaluations as JSON instead of lines
  --plan            only what would decide the undecided claims: the campaigns to run here, merged
                    per experiment, with their estimated times and total, then what cannot be decided
  -h, --help        show this help`,
  options: {
    campaign: { type: 'string' },
    results: { type: 'string' },
    json: { type: 'boolean' },
    plan: { type: 'boolean' },
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
    const overview = claimsOverview(results);
    if (values.plan === true) lines.push('', ...planLines(overview));
    else lines.push('', ...results.map(claimLine), '', overviewLine(overview), countsLine(results));
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
