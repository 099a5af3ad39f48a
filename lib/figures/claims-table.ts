/**
 * The thesis's claims as evaluated (lib/analysis/claims/) in an HTML table: one row per claim, its
 * verdict coloured, ours with its 95% interval beside the thesis's value, the accelerators ours came
 * from, the band the verdict used, the cells behind it (or why it is not measured, and what would
 * decide it: a campaign to run here with its estimated time, or why this host cannot). Pure:
 * results in, markup out; the notebooks' claims sections and the report's index page call it.
 */
import { accelText, bandText, cellsText, oursText, planText, thesisText } from '../analysis/claims/claim-text.js';
import type { ClaimVerdict } from '../analysis/claims/claim-verdict.js';
import type { ClaimsOverview } from '../analysis/claims/claims-overview.js';
import { countsLine, type ClaimResult } from '../analysis/claims/evaluate-claims.js';
import { escapeHtml, htmlTable } from './html-table.js';

const VERDICT_STYLE: Record<ClaimVerdict, string> = {
  holds: 'background:#d4edda',
  fails: 'background:#f8d7da',
  inconclusive: 'background:#fff3cd',
  'not measured': 'background:#e2e3e5',
};

/** Options of {@link claimVerdictsHtml}. */
export interface ClaimVerdictsOptions {
  /** print a line counting the verdicts under the table (default true) */
  counts?: boolean;
}

/**
 * The evaluated claims as an HTML table with `caption`; each row carries `data-claim` and
 * `data-verdict` attributes, so a page or a test can find a claim's row.
 */
export function claimVerdictsHtml(
  results: readonly ClaimResult[],
  caption: string,
  options: ClaimVerdictsOptions = {},
): string {
  const table = htmlTable(
    results,
    [
      { label: 'verdict', value: (result) => result.verdict },
      { label: 'where', value: (result) => `${result.claim.section}, line ${result.claim.line}` },
      { label: 'the thesis claims', value: (result) => result.claim.claim, long: 'wrap' },
      {
        label: 'ours (95% CI)',
        value: (result) =>
          result.ours === null
            ? '–'
            : `${result.verdict === 'not measured' ? 'for reference: ' : ''}${oursText(result.ours, result.claim.unit)}`,
        align: 'right',
      },
      { label: 'thesis', value: (result) => thesisText(result.claim), align: 'right' },
      { label: 'accel', value: (result) => accelText(result) || '–' },
      { label: 'holds if', value: (result) => bandText(result.band, result.claim.unit) },
      {
        label: 'from / why',
        value: (result) =>
          [
            cellsText(result),
            result.verdict !== 'not measured' ? result.reason : null,
            result.campaign ? `campaign ${result.campaign}` : null,
            result.plan === null ? null : planText(result.plan),
            result.claim.restates === null ? null : `restates ${result.claim.restates}`,
          ]
            .filter((part): part is string => part !== null && part !== '')
            .join('; '),
      },
    ],
    caption,
  );
  let index = 0;
  const rows = table.replace(/<tr><td style="/g, (match) => {
    const result = results[index++];
    return result
      ? `<tr data-claim="${escapeHtml(result.claim.id)}" data-verdict="${result.verdict}"><td style="${VERDICT_STYLE[result.verdict]};`
      : match;
  });
  if (options.counts === false) return rows;
  return `${rows}<p style="font-family:sans-serif;font-size:13px;margin:4px 0">${escapeHtml(countsLine(results))}</p>`;
}

/** "about 21 min", "about 40 s": an estimated duration as a reader plans with it. */
function aboutText(seconds: number | null): string {
  if (seconds === null) return 'time unknown (no recorded campaign times these cells)';
  return seconds < 90 ? `about ${Math.max(1, Math.round(seconds))} s` : `about ${Math.round(seconds / 60)} min`;
}

/**
 * The verdict in brief, for the first screen of the report's index: how many of the thesis's
 * claims hold, fail or are inconclusive on these campaigns, how many this host cannot decide
 * (with why) and how many a longer campaign would decide (with the commands and their estimated
 * time). Counted once per quantity, as {@link ClaimsOverview} counts them. `claims` is the number
 * of claim records, `anchor` the id of the section holding the full table.
 */
export function claimsVerdictHtml(overview: ClaimsOverview, claims: number, anchor = 'claims'): string {
  const undecided = overview.cannotDecide.count + overview.needLonger.count;
  // reasons that share their opening ("VMs run under TCG here (...)") print it once
  const byOpening = new Map<string, Array<{ rest: string; count: number }>>();
  for (const limit of overview.cannotDecide.reasons) {
    const at = limit.why.indexOf(': ');
    const opening = at < 0 ? limit.why : limit.why.slice(0, at);
    const rest = at < 0 ? '' : limit.why.slice(at + 2);
    byOpening.set(opening, [...(byOpening.get(opening) ?? []), { rest, count: limit.claims.length }]);
  }
  const cannot = [...byOpening]
    .map(([opening, parts]) => {
      const total = parts.reduce((sum, part) => sum + part.count, 0);
      const details = parts.filter((part) => part.rest !== '');
      return `<li>${escapeHtml(opening)}: ${total} claim(s)${details.length === 0 ? '' : `<ul>${details.map((part) => `<li>${escapeHtml(part.rest)}: ${part.count}</li>`).join('')}</ul>`}</li>`;
    })
    .join('');
  const commands = overview.needLonger.commands
    .map(
      (command) =>
        `<li><code>${escapeHtml(command.command)}</code> <span style="color:#555">(${escapeHtml(aboutText(command.seconds))}; decides ${command.claims.length} claim(s))</span></li>`,
    )
    .join('');
  const longer =
    overview.needLonger.count === 0
      ? ''
      : `<li><b>${overview.needLonger.count} need a longer campaign</b> here, ${escapeHtml(overview.needLonger.seconds === null ? aboutText(null) : `${aboutText(overview.needLonger.seconds)} in all`)} (<code>guestbench claims --plan</code>):<ul>${commands}</ul></li>`;
  const host =
    overview.cannotDecide.count === 0
      ? ''
      : `<li><b>${overview.cannotDecide.count} cannot be decided on this host</b>, whatever it runs:<ul>${cannot}</ul></li>`;
  return `<div class="verdict" style="border:2px solid #444;padding:8px 14px;margin:12px 0;background:#fafafa">
<p style="margin:4px 0;font-size:110%"><b>The verdict here</b>, on the thesis's ${claims} quantitative claims (${overview.counted} distinct results: a chapter-7 restatement and the claims of one quantity count once):
<span style="${VERDICT_STYLE.holds};padding:0 4px"><b>${overview.holds} hold</b></span>,
<span style="${VERDICT_STYLE.fails};padding:0 4px"><b>${overview.fails} fail</b></span>,
<span style="${VERDICT_STYLE.inconclusive};padding:0 4px">${overview.inconclusive} inconclusive</span> (the 95% interval crosses the claim's band),
<span style="${VERDICT_STYLE['not measured']};padding:0 4px">${undecided} not decided here</span>.</p>
${host || longer ? `<ul style="margin:4px 0">${host}${longer}</ul>` : ''}
<p style="margin:4px 0"><a href="#${escapeHtml(anchor)}">Every claim, ours beside the thesis's, with why</a>.</p>
</div>`;
}
