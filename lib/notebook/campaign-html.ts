/**
 * HTML panels that state where a campaign's numbers come from: shown at the top of each notebook.
 */
import type { CampaignChoice, CampaignFlag } from '../analysis/choose-campaign.js';
import type { LoadedCampaign } from '../analysis/load-campaign.js';
import { missingReasonText, tcgReason, type CampaignMeta, type MissingCapability } from '../results/campaign-meta.js';
import { escapeHtml, htmlTable } from '../figures/html-table.js';

/** Campaign id, profile, state, accelerators, versions and every capability the host lacked. */
export function campaignHtml(campaign: LoadedCampaign): string {
  const { meta, samples } = campaign;
  const counts = { ok: 0, errored: 0, unsupported: 0 };
  for (const sample of samples) counts[sample.state] += 1;
  const accel = Object.entries(meta.accel)
    .map(([backend, value]) => `${backend}: <b>${escapeHtml(value ?? '')}</b>`)
    .join(', ');
  const tcg =
    meta.accel.kvm === 'tcg'
      ? `<p style="background:#fff3cd;padding:6px;border-left:4px solid #e0a800"><b>VMs ran under TCG</b> (QEMU's software CPU emulator), not hardware-accelerated KVM: VM figures here measure an emulated CPU and are not comparable to the thesis's KVM numbers in absolute terms. Why: ${escapeHtml(tcgReason(meta) ?? 'see doctor')}</p>`
      : '';
  const missing = meta.missing.length
    ? htmlTable(
        meta.missing,
        [
          { label: 'missing capability', value: (item) => item.capability },
          { label: 'reason', value: (item) => missingReasonText(item) },
          { label: 'fix', value: (item) => item.fix ?? '' },
        ],
        'What this host could not do',
      )
    : '<p>No capability was missing.</p>';
  const versions = htmlTable(
    Object.entries(meta.versions),
    [
      { label: 'tool', value: ([name]) => name },
      { label: 'version', value: ([, version]) => version },
    ],
    'Tool versions',
  );
  return `<div class="guestbench-campaign">
<p>Campaign <code>${escapeHtml(meta.id)}</code> (${escapeHtml(meta.experiment)}, profile <b>${escapeHtml(meta.profile)}</b>, ${escapeHtml(meta.state)}),
started ${escapeHtml(meta.startedAt)}${meta.endedAt ? `, ended ${escapeHtml(meta.endedAt)}` : ''}; ${meta.sessions.length} session(s).
Rows: ${counts.ok} measured, ${counts.errored} errored, ${counts.unsupported} unsupported. Accelerator per backend: ${accel || 'none recorded'}.
Git commit <code>${escapeHtml(meta.git?.commit.slice(0, 12) ?? 'unknown')}</code>${meta.git?.dirty ? ' (with uncommitted changes)' : ''}.</p>
${tcg}${missing}${versions}</div>`;
}

/** What each flag tells a reader, one sentence. */
export const FLAG_TEXT: Record<CampaignFlag, string> = {
  empty: 'it measured nothing: every row errored or was unsupported',
  partial: 'some rows errored, or a backend it ran has no row',
  interrupted: 'it did not run to completion',
};

const banner = (color: string, html: string): string =>
  `<p class="guestbench-choice" style="background:${color};padding:6px;border-left:4px solid #888">${html}</p>`;

/**
 * Which campaign is shown and why (named, the best in the results directory, or an example from
 * another host), its flags (empty, partial, interrupted) as a warning, then campaignHtml().
 */
export function chosenCampaignHtml(choice: CampaignChoice): string {
  const { meta } = choice.campaign;
  const why =
    choice.origin === 'example'
      ? banner(
          '#d1ecf1',
          `<b>Examples from another host</b>: there is no campaign in the results directory yet, so this page shows the committed example campaign <code>${escapeHtml(meta.id)}</code> (test/fixtures/campaigns), measured on ${escapeHtml(meta.host.cpuModel)}, ${meta.host.cpus} CPUs. Measure this host with <code>guestbench run ${escapeHtml(meta.experiment)}</code>.`,
        )
      : banner(
          '#f1f3f5',
          choice.origin === 'named'
            ? `Showing campaign <code>${escapeHtml(meta.id)}</code>, as named.`
            : `Showing campaign <code>${escapeHtml(meta.id)}</code>: the best ${escapeHtml(meta.experiment)} campaign in the results directory (complete first, then the most backends x guest counts measured, then the newest; campaigns without a measured row skipped).`,
        );
  const flags = choice.flags.length
    ? banner(
        '#fff3cd',
        `<b>This campaign is ${choice.flags.join(', ')}</b>: ${choice.flags.map((flag) => escapeHtml(FLAG_TEXT[flag])).join('; ')} (state <b>${escapeHtml(meta.state)}</b>; ${choice.coverage.ok} measured, ${choice.coverage.errored} errored, ${choice.coverage.unsupported} unsupported rows).`,
      )
    : '';
  return `<div class="guestbench-chosen" data-campaign="${escapeHtml(meta.id)}" data-origin="${choice.origin}" data-flags="${choice.flags.join(' ')}">${why}${flags}${campaignHtml(choice.campaign)}</div>`;
}

// reference a reader opens when they need it, not a screen to scroll past before the first result
const folded = (summary: string, html: string): string =>
  `<details style="margin:6px 0"><summary style="cursor:pointer;font-family:sans-serif;font-size:13px">${escapeHtml(summary)}</summary>${html}</details>`;

/** The words a campaign's origin gives in the campaigns table. */
const ORIGIN_TEXT: Record<CampaignChoice['origin'], string> = {
  named: 'named',
  best: 'best in the results directory',
  example: 'example from another host',
};

function hostText(meta: CampaignMeta): string {
  const { host } = meta;
  return `${host.hostname}: ${host.cpuModel}, ${host.cpus} CPUs, ${Math.round(host.memoryMiB / 1024)} GiB, ${host.os}, kernel ${host.kernel}, /dev/kvm from ${host.kvmModule ?? 'none'}`;
}

/** One value per campaign: the same in all ("all"), or which campaigns have which value. */
function byValue<Value extends string>(
  choices: readonly CampaignChoice[],
  pick: (meta: CampaignMeta) => Value | undefined,
  name: (choice: CampaignChoice) => string,
): Array<{ value: Value; experiments: string[] }> {
  const groups = new Map<Value, string[]>();
  for (const choice of choices) {
    const value = pick(choice.campaign.meta);
    if (value === undefined) continue;
    groups.set(value, [...(groups.get(value) ?? []), name(choice)]);
  }
  return [...groups].map(([value, experiments]) => ({ value, experiments }));
}

/**
 * The context of a page that reads several campaigns, said once: the examples banner, one table of the campaigns
 * (experiment, id, why chosen, profile, state, rows, flags with what each means as a footnote), one host line (or
 * one per host, naming the campaigns), the TCG caveat once, what the host could not do as a union over the
 * campaigns (each line with the campaigns that recorded it), and the tool versions folded (a <details> the reader
 * opens), one line per tool (per-campaign values only where they differ). `hostsAndVersions: false` leaves those
 * two out, for a page that sets them side by side itself; `examplesBanner: false` leaves out the examples banner,
 * for a page that says it in its own words. Replaces a {@link chosenCampaignHtml} per campaign, which repeats all
 * of it.
 */
export function campaignsContextHtml(
  choices: readonly CampaignChoice[],
  options: { hostsAndVersions?: boolean; examplesBanner?: boolean } = {},
): string {
  if (choices.length === 0) return '<p>No campaign found for any experiment of this page.</p>';
  const all = choices.length;
  // a campaign is named by its experiment, or by its id where two campaigns share one (a comparison's pair)
  const experiments = choices.map((choice) => choice.campaign.meta.experiment);
  const name = (choice: CampaignChoice) =>
    new Set(experiments).size === experiments.length ? choice.campaign.meta.experiment : choice.campaign.meta.id;
  const scope = (experiments: readonly string[]) =>
    experiments.length === all && all > 1 ? 'all' : experiments.join(', ');
  const campaigns = htmlTable(
    [...choices],
    [
      { label: 'experiment', value: (choice) => choice.campaign.meta.experiment, align: 'left' },
      { label: 'campaign', value: (choice) => choice.campaign.meta.id, align: 'left' },
      { label: 'chosen as', value: (choice) => ORIGIN_TEXT[choice.origin], align: 'left' },
      { label: 'profile', value: (choice) => choice.campaign.meta.profile, align: 'left' },
      { label: 'state', value: (choice) => choice.campaign.meta.state, align: 'left' },
      {
        label: 'rows: measured / errored / unsupported',
        value: (choice) => `${choice.coverage.ok} / ${choice.coverage.errored} / ${choice.coverage.unsupported}`,
        align: 'right',
      },
      {
        label: 'flags',
        value: (choice) =>
          choice.flags.length === 0
            ? ''
            : { text: choice.flags.join(', '), note: choice.flags.map((flag) => FLAG_TEXT[flag]).join('; ') },
        align: 'left',
      },
      { label: 'started', value: (choice) => choice.campaign.meta.startedAt.slice(0, 19), align: 'left' },
      {
        label: 'git commit',
        value: (choice) =>
          `${choice.campaign.meta.git?.commit.slice(0, 12) ?? 'unknown'}${choice.campaign.meta.git?.dirty ? ' (dirty)' : ''}`,
        align: 'left',
      },
    ],
    'The campaigns this page reads',
  );
  const hosts = byValue(choices, hostText, name);
  const hostHtml =
    hosts.length === 1
      ? `<p>Host (every campaign): ${escapeHtml(hosts[0]?.value ?? '')}.</p>`
      : `<p><b>These campaigns ran on ${hosts.length} different machines</b>:</p><ul>${hosts.map((host) => `<li>${escapeHtml(host.value)} (${escapeHtml(host.experiments.join(', '))})</li>`).join('')}</ul>`;
  const examples = choices.filter((choice) => choice.origin === 'example');
  const examplesHtml =
    examples.length === 0 || options.examplesBanner === false
      ? ''
      : banner(
          '#d1ecf1',
          `<b>Examples from another host</b>: ${examples.length === all ? 'every campaign here is a committed example' : `${examples.length} of these campaigns (${escapeHtml(examples.map((choice) => choice.campaign.meta.experiment).join(', '))}) are committed example${examples.length === 1 ? '' : 's'}`} (test/fixtures/campaigns), not this host's: the results directory has none of ${examples.length === 1 ? 'its experiment' : 'their experiments'}. Measure this host with <code>guestbench run ${escapeHtml(examples.map((choice) => choice.campaign.meta.experiment).join(' '))}</code> (one experiment per run).`,
        );
  const tcg = choices.filter((choice) => Object.values(choice.campaign.meta.accel).includes('tcg'));
  const tcgReasons = [...new Set(tcg.flatMap((choice) => tcgReason(choice.campaign.meta) ?? []))];
  const tcgHtml = tcg.length
    ? `<p style="background:#fff3cd;padding:6px;border-left:4px solid #e0a800"><b>VMs ran under TCG</b> (QEMU's software CPU emulator) in ${tcg.length === all ? 'every campaign here' : escapeHtml(tcg.map(name).join(', '))}, not hardware-accelerated KVM: VM figures here measure an emulated CPU and are not comparable to the thesis's KVM numbers in absolute terms. Why: ${escapeHtml(tcgReasons.join('; ') || 'see doctor')}</p>`
    : '';
  const missing = new Map<string, { item: MissingCapability; experiments: string[] }>();
  for (const choice of choices)
    for (const item of choice.campaign.meta.missing) {
      const key = `${item.capability}\u0000${item.reason}\u0000${item.fix ?? ''}`;
      const entry = missing.get(key) ?? { item, experiments: [] };
      entry.experiments.push(name(choice));
      missing.set(key, entry);
    }
  const missingHtml = missing.size
    ? htmlTable(
        [...missing.values()],
        [
          { label: 'missing capability', value: (entry) => entry.item.capability },
          { label: 'reason', value: (entry) => missingReasonText(entry.item) },
          { label: 'fix', value: (entry) => entry.item.fix ?? '' },
          { label: 'campaigns', value: (entry) => scope(entry.experiments) },
        ],
        'What this host could not do (each line once, with the campaigns that recorded it)',
      )
    : '<p>No capability was missing.</p>';
  const tools = [...new Set(choices.flatMap((choice) => Object.keys(choice.campaign.meta.versions)))];
  const versionsHtml = htmlTable(
    tools,
    [
      { label: 'tool', value: (tool) => tool },
      {
        label: 'version',
        value: (tool) => {
          const values = byValue(choices, (meta) => meta.versions[tool], name);
          if (values.length === 1) return values[0]?.value ?? '';
          return values.map((value) => `${value.value} (${value.experiments.join(', ')})`).join('; ');
        },
      },
    ],
    'Tool versions (one value where every campaign that recorded the tool agrees)',
  );
  return `<div class="guestbench-context" data-campaigns="${escapeHtml(choices.map((choice) => choice.campaign.meta.id).join(' '))}">${examplesHtml}${campaigns}${options.hostsAndVersions === false ? '' : hostHtml}${tcgHtml}${missingHtml}${options.hostsAndVersions === false ? '' : folded(`the versions of the ${tools.length} tools the campaigns recorded`, versionsHtml)}</div>`;
}
