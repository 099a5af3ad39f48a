/**
 * The report's index.html, the page a reader opens first. Its first screen answers: which study
 * this re-runs (the thesis, named and cited), what was run where (one line), and the verdict in
 * brief (a fragment given by the caller); then the thesis's claims as checked, the host and
 * accelerator of the campaigns (with the TCG caveat when VMs were emulated), each campaign used
 * (flagged when empty, partial, interrupted or an example from another host), each notebook with
 * its status, and a gallery linking to every figure. It loads nothing: it works from file:// with
 * no network.
 */
import * as path from 'node:path';
import { escapeHtml } from '../../lib/figures/html-table.js';
import { THESIS_CITATION } from '../../lib/thesis/citation.js';
import type { FigureLink } from './figure-gallery.js';
import type { ReportedCampaign, ReportedHost } from './report-plan.js';

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
  /** the page's figures, in page order */
  figures: FigureLink[];
}

/** Options of indexHtml(). */
export interface IndexOptions {
  plotly: 'file' | 'embed';
  generatedAt: string;
  /**
   * The thesis's claims as evaluated, an already-rendered HTML fragment (e.g. a table), shown in
   * its own section; without it the section is left out (each notebook still shows its own checks).
   */
  claimsHtml?: string;
  /**
   * The verdict in brief, an already-rendered HTML fragment (how many claims hold, fail, are
   * inconclusive or cannot be measured here, with why and what would decide them), shown on the
   * first screen under the study and the run; left out when absent.
   */
  verdictHtml?: string;
}

const warn = (text: string): string =>
  `<span class="flag" style="color:#8a6d00;font-weight:bold">${escapeHtml(text)}</span>`;

const baseName = (name: string): string => path.basename(name, '.ipynb');

function campaignLabels(campaign: ReportedCampaign): string[] {
  return [
    ...(campaign.origin === 'example' ? [warn('example from another host')] : []),
    ...campaign.flags.map((flag) => warn(flag)),
  ];
}

function campaignCell(campaign: ReportedCampaign): string {
  const labels = campaignLabels(campaign);
  return `<li data-campaign="${escapeHtml(campaign.id)}" data-flags="${campaign.flags.join(' ')}" data-origin="${campaign.origin}"><code>${escapeHtml(campaign.id)}</code> ${escapeHtml(campaign.experiment)}, ${escapeHtml(campaign.profile)} profile, ${campaign.ok} measured / ${campaign.errored} errored / ${campaign.unsupported} unsupported rows, ${escapeHtml(campaign.state)}${labels.length ? ': ' + labels.join(', ') : ''}</li>`;
}

/** A campaign and the notebooks that show it. */
interface UsedCampaign {
  campaign: ReportedCampaign;
  notebooks: IndexEntry[];
}

/** Each campaign once (first seen first), with the notebooks that show it. */
function distinctCampaigns(entries: readonly IndexEntry[]): UsedCampaign[] {
  const byId = new Map<string, UsedCampaign>();
  for (const entry of entries)
    for (const campaign of entry.campaigns) {
      const seen = byId.get(campaign.id) ?? { campaign, notebooks: [] };
      if (!seen.notebooks.includes(entry)) seen.notebooks.push(entry);
      byId.set(campaign.id, seen);
    }
  return [...byId.values()];
}

const hostKey = (host: ReportedHost): string => `${host.hostname}\0${host.cpuModel}\0${host.kernel}`;

/** Host and accelerator: one block per machine the campaigns ran on, with the TCG caveat. */
function hostSection(campaigns: readonly ReportedCampaign[]): string {
  if (campaigns.length === 0)
    return '<section id="host"><h2>Host and accelerator</h2><p>No campaign is shown: the pages hold the thesis\'s own values only.</p></section>';
  const hosts = new Map<string, { host: ReportedHost; campaigns: ReportedCampaign[] }>();
  for (const campaign of campaigns) {
    const key = hostKey(campaign.host);
    const seen = hosts.get(key) ?? { host: campaign.host, campaigns: [] };
    seen.campaigns.push(campaign);
    hosts.set(key, seen);
  }
  const blocks = [...hosts.values()].map(({ host, campaigns: these }) => {
    const accel = new Map<string, Set<string>>();
    for (const campaign of these)
      for (const [backend, value] of Object.entries(campaign.accel))
        if (value) accel.set(backend, (accel.get(backend) ?? new Set<string>()).add(value));
    const accelText = [...accel.entries()].map(([backend, values]) => `${escapeHtml(backend)}: <b>${escapeHtml([...values].join(' / '))}</b>`).join(', ');
    const tcg = these.filter((campaign) => campaign.tcgReason !== undefined);
    const tcgBanner = tcg.length
      ? `<p class="tcg" style="background:#fff3cd;padding:6px;border-left:4px solid #e0a800"><b>VMs ran under TCG</b> (QEMU's software CPU emulator), not hardware-accelerated KVM, in ${tcg.length} of ${these.length} campaign(s): VM figures measure an emulated CPU and are not comparable to the thesis's KVM numbers in absolute terms; compare their shape across N, not their level. Why: ${escapeHtml([...new Set(tcg.map((campaign) => campaign.tcgReason as string))].join('; '))}</p>`
      : '';
    const example = these.some((campaign) => campaign.origin === 'example') ? ` ${warn('example from another host')}` : '';
    return `<div class="host" data-hostname="${escapeHtml(host.hostname)}"><p><b>${escapeHtml(host.hostname)}</b>${example}: ${escapeHtml(host.cpuModel)}, ${host.cpus} logical CPUs, ${(host.memoryMiB / 1024).toFixed(1)} GiB memory, ${escapeHtml(host.os)}, kernel ${escapeHtml(host.kernel)}, /dev/kvm ${host.kvmModule ? `from ${escapeHtml(host.kvmModule)}` : 'absent'}. Accelerator per backend: ${accelText || 'none recorded'}. ${these.length} campaign(s).</p>${tcgBanner}</div>`;
  });
  const several = hosts.size > 1 ? '<p><b>The campaigns ran on more than one machine</b>: compare numbers of different hosts with care.</p>' : '';
  return `<section id="host"><h2>Host and accelerator</h2>${several}${blocks.join('\n')}</section>`;
}

const dateRange = (campaigns: readonly ReportedCampaign[]): string => {
  const days = [...new Set(campaigns.map((campaign) => campaign.startedAt.slice(0, 10)))].sort();
  return days.length <= 1 ? (days[0] ?? '') : `${days[0]} to ${days.at(-1)}`;
};

/** What ran on one machine, in a phrase: `vm (AMD EPYC, 2 logical CPUs, 23.5 GiB, kernel 6.1.0)`. */
function machinePhrase(host: ReportedHost): string {
  return `<b>${escapeHtml(host.hostname)}</b> (${escapeHtml(host.cpuModel)}, ${host.cpus} logical CPUs, ${(host.memoryMiB / 1024).toFixed(1)} GiB, kernel ${escapeHtml(host.kernel)})`;
}

/** How the VMs ran, in a phrase: under KVM, under TCG (software emulation), or both. */
function accelPhrase(campaigns: readonly ReportedCampaign[]): string {
  const vmAccels = new Set(
    campaigns.flatMap((campaign) =>
      Object.values(campaign.accel).filter((accel): accel is 'kvm' | 'tcg' => accel === 'kvm' || accel === 'tcg'),
    ),
  );
  if (vmAccels.size === 0) return 'no VM ran';
  if (vmAccels.size === 2) return 'VMs under KVM in some campaigns and under TCG (software emulation) in others';
  return vmAccels.has('kvm')
    ? 'VMs under KVM (hardware virtualisation)'
    : 'VMs under TCG (software emulation: this host has no usable hardware virtualisation)';
}

/**
 * The first thing a reader sees: which study this re-runs (named and cited), and what was run
 * where, in one line.
 */
function studySection(campaigns: readonly ReportedCampaign[]): string {
  const { author, title, kind, institution, year } = THESIS_CITATION;
  const cite = `<p class="study">A re-run of ${escapeHtml(author)}, <i>${escapeHtml(title)}</i>, ${escapeHtml(kind)}, ${escapeHtml(institution)}, ${year}: its density (chapter 4), start-up latency (chapter 5) and live-migration (chapter 6) experiments, measured here the same way and set beside its published numbers.</p>`;
  if (campaigns.length === 0)
    return `${cite}<p class="run">Nothing was run: the pages show the thesis's own values only.</p>`;
  const machines = new Map<string, ReportedHost>();
  for (const campaign of campaigns) machines.set(hostKey(campaign.host), campaign.host);
  const experiments = [...new Set(campaigns.map((campaign) => campaign.experiment))];
  const profiles = [...new Set(campaigns.map((campaign) => campaign.profile))];
  const where =
    machines.size === 1
      ? `on ${machinePhrase([...machines.values()][0] as ReportedHost)}`
      : `on ${machines.size} machines: ${[...machines.values()].map(machinePhrase).join('; ')}`;
  const examples = campaigns.some((campaign) => campaign.origin === 'example') ? ` ${warn('examples from another host')}` : '';
  return `${cite}<p class="run"><b>Run:</b> ${campaigns.length} campaign(s) of ${experiments.length} experiment(s) (${escapeHtml(experiments.join(', '))}; ${escapeHtml(profiles.join(' and '))} profile), ${escapeHtml(dateRange(campaigns))}, ${where}; ${accelPhrase(campaigns)}.${examples}</p>`;
}

/** Every campaign used, once, with its counts, flags and the notebooks showing it. */
function campaignsSection(entries: readonly IndexEntry[]): string {
  const campaigns = distinctCampaigns(entries);
  if (campaigns.length === 0) return '';
  const rows = campaigns
    .map(({ campaign, notebooks }) => {
      const labels = campaignLabels(campaign);
      const used = notebooks.map((entry) => `<a href="${encodeURI(entry.html)}">${escapeHtml(baseName(entry.name))}</a>`).join(', ');
      return `<tr data-campaign="${escapeHtml(campaign.id)}" data-flags="${campaign.flags.join(' ')}" data-origin="${campaign.origin}"><td><code>${escapeHtml(campaign.id)}</code></td><td>${escapeHtml(campaign.experiment)}</td><td>${escapeHtml(campaign.profile)}</td><td>${escapeHtml(campaign.startedAt.slice(0, 10))}</td><td style="text-align:right">${campaign.ok}</td><td style="text-align:right">${campaign.errored}</td><td style="text-align:right">${campaign.unsupported}</td><td>${escapeHtml(campaign.state)}${labels.length ? '<br>' + labels.join(', ') : ''}</td><td>${used}</td></tr>`;
    })
    .join('\n');
  return `<section id="campaigns"><h2>Campaigns used</h2>
<table style="border-collapse:collapse" cellpadding="4" border="1">
<thead><tr><th>campaign</th><th>experiment</th><th>profile</th><th>started</th><th>measured rows</th><th>errored</th><th>unsupported</th><th>state</th><th>shown by</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

function notebooksSection(entries: readonly IndexEntry[]): string {
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
      return `<tr><td><a href="${encodeURI(entry.html)}">${escapeHtml(baseName(entry.name))}</a><br><a style="font-size:85%" href="${encodeURI(entry.notebook)}">executed notebook</a></td><td>${campaigns}${notes}</td><td>${status}<br><span style="font-size:85%;color:#666">${entry.executed ? `executed in ${entry.seconds.toFixed(1)} s` : 'unchanged: kept from the previous report'}</span></td></tr>`;
    })
    .join('\n');
  return `<section id="notebooks"><h2>Notebooks</h2>
<table style="border-collapse:collapse" cellpadding="6" border="1">
<thead><tr><th>notebook</th><th>campaigns shown</th><th>status</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** Each page's figures as links to their anchors. */
function gallerySection(entries: readonly IndexEntry[]): string {
  const pages = entries.filter((entry) => entry.figures.length > 0);
  if (pages.length === 0) return '';
  const blocks = pages
    .map(
      (entry) =>
        `<div class="gallery-page" style="break-inside:avoid;margin-bottom:1em"><h3 style="margin:0.3em 0"><a href="${encodeURI(entry.html)}">${escapeHtml(baseName(entry.name))}</a> <span style="font-weight:normal;color:#666;font-size:80%">${entry.figures.length} figure(s)</span></h3><ol style="margin:0;padding-left:1.6em">${entry.figures
          .map((figure) => `<li><a class="figure-link" href="${encodeURI(entry.html)}#${encodeURIComponent(figure.id)}">${escapeHtml(figure.title)}</a></li>`)
          .join('')}</ol></div>`,
    )
    .join('\n');
  return `<section id="figures"><h2>Figures</h2><div style="column-width:30em;column-gap:2em">${blocks}</div></section>`;
}

/** The index page. */
export function indexHtml(entries: readonly IndexEntry[], options: IndexOptions): string {
  const campaigns = distinctCampaigns(entries).map(({ campaign }) => campaign);
  const examples = campaigns.some((campaign) => campaign.origin === 'example')
    ? '<p style="background:#d1ecf1;padding:6px">The results directory holds no campaign yet: the pages show the committed <b>example campaigns from another host</b>. Run <code>npm run main</code> (or <code>guestbench run EXPERIMENT</code>) to measure this one.</p>'
    : '';
  const claims =
    options.claimsHtml === undefined
      ? ''
      : `<section id="claims"><h2>The thesis's claims, checked</h2>${options.claimsHtml}</section>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>guestbench report: ${escapeHtml(THESIS_CITATION.author)} (${THESIS_CITATION.year}) re-run</title></head>
<body style="font-family:sans-serif;max-width:72em;margin:2em auto">
<h1>Does ${escapeHtml(THESIS_CITATION.author)} (${THESIS_CITATION.year}) hold on this host?</h1>
${studySection(campaigns)}
${examples}
${options.verdictHtml ?? ''}
<p class="contents">Generated ${escapeHtml(options.generatedAt)}. Every page works offline, from this folder alone (${options.plotly === 'file' ? 'plotly.min.js beside the pages' : 'plotly embedded in each page'}).
Contents:${claims ? ' <a href="#claims">claims</a>,' : ''} <a href="#host">host and accelerator</a>, <a href="#campaigns">campaigns</a>, <a href="#notebooks">notebooks</a>, <a href="#figures">figures</a>.</p>
${claims}
${hostSection(campaigns)}
${campaignsSection(entries)}
${notebooksSection(entries)}
${gallerySection(entries)}
</body></html>
`;
}
