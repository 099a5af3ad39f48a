/**
 * The thesis's claims as evaluated (lib/analysis/claims/) in an HTML table: one row per claim, its
 * verdict coloured, ours with its 95% interval beside the thesis's value, the accelerators ours came
 * from, the band the verdict used, the cells behind it (or why it is not measured, and what would
 * decide it: a campaign to run here with its estimated time, or why this host cannot). Pure:
 * results in, markup out; the notebooks' claims sections and the report's index page call it.
 */
import { accelText, bandText, cellsText, oursText, planText, thesisText } from '../analysis/claims/claim-text.js';
import type { ClaimVerdict } from '../analysis/claims/claim-verdict.js';
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
