/**
 * The report's index.html: one row per notebook with the campaigns it used (flagged when empty,
 * partial, interrupted or an example from another host) and whether it ran cleanly.
 */
import * as path from 'node:path';
import { escapeHtml } from '../../lib/figures/html-table.js';
import type { ReportedCampaign } from './report-plan.js';

/** One notebook's line in the index. */
export interface IndexEntry {
  /** notebook file name */
  name: string;
  /** the page and the executed notebook, relative to the index */
  html: string;
  notebook: string;
  campaigns: ReportedCampaign[];
  notes: string[];
  errors: string[];
  /** false when the page was reused from the previous report */
  executed: boolean;
  seconds: number;
}

const warn = (text: string): string => `<span class="flag" style="color:#8a6d00;font-weight:bold">${escapeHtml(text)}</span>`;

function campaignCell(campaign: ReportedCampaign): string {
  const labels = [
    ...(campaign.origin === 'example' ? [warn('example from another host')] : []),
    ...campaign.flags.map((flag) => warn(flag)),
  ];
  return `<li data-campaign="${escapeHtml(campaign.id)}" data-flags="${campaign.flags.join(' ')}" data-origin="${campaign.origin}"><code>${escapeHtml(campaign.id)}</code> ${escapeHtml(campaign.experiment)}, ${escapeHtml(campaign.profile)} profile, ${campaign.ok} measured / ${campaign.errored} errored / ${campaign.unsupported} unsupported rows, ${escapeHtml(campaign.state)}${labels.length ? ': ' + labels.join(', ') : ''}</li>`;
}

/** The index page. */
export function indexHtml(entries: readonly IndexEntry[], options: { plotly: 'file' | 'embed'; generatedAt: string }): string {
  const rows = entries
    .map((entry) => {
      const status =
        entry.errors.length === 0
          ? 'ok'
          : `<span style="color:#b00">${entry.errors.length} failing cell(s): ${escapeHtml(entry.errors.join('; '))}</span>`;
      const campaigns = entry.campaigns.length
        ? `<ul style="margin:0;padding-left:1.2em">${entry.campaigns.map(campaignCell).join('')}</ul>`
        : entry.notes.length > 0
          ? ''
          : '<i>no campaign (thesis values only)</i>';
      const notes = entry.notes.map((note) => `<div style="color:#666;font-size:90%">${escapeHtml(note)}</div>`).join('');
      return `<tr><td><a href="${encodeURI(entry.html)}">${escapeHtml(path.basename(entry.name, '.ipynb'))}</a><br><a style="font-size:85%" href="${encodeURI(entry.notebook)}">executed notebook</a></td><td>${campaigns}${notes}</td><td>${status}<br><span style="font-size:85%;color:#666">${entry.executed ? `executed in ${entry.seconds.toFixed(1)} s` : 'unchanged: kept from the previous report'}</span></td></tr>`;
    })
    .join('\n');
  const examples = entries.some((entry) => entry.campaigns.some((campaign) => campaign.origin === 'example'))
    ? '<p style="background:#d1ecf1;padding:6px">The results directory holds no campaign yet: the pages show the committed <b>example campaigns from another host</b>. Run <code>npm run main</code> (or <code>guestbench run EXPERIMENT</code>) to measure this one.</p>'
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>guestbench report</title></head>
<body style="font-family:sans-serif;max-width:72em;margin:2em auto">
<h1>guestbench report</h1>
<p>Generated ${escapeHtml(options.generatedAt)}. Every page works offline, from this folder alone (${options.plotly === 'file' ? 'plotly.min.js beside the pages' : 'plotly embedded in each page'}).</p>
${examples}
<table style="border-collapse:collapse" cellpadding="6" border="1">
<thead><tr><th>notebook</th><th>campaigns shown</th><th>status</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
