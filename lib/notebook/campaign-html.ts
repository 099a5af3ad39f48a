/**
 * HTML panels that state where a campaign's numbers come from: shown at the top of each notebook.
 */
import type { CampaignChoice, CampaignFlag } from '../analysis/choose-campaign.js';
import type { LoadedCampaign } from '../analysis/load-campaign.js';
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
      ? `<p style="background:#fff3cd;padding:6px;border-left:4px solid #e0a800"><b>VMs ran under TCG</b> (QEMU's software CPU emulator), not hardware-accelerated KVM: VM figures here measure an emulated CPU and are not comparable to the thesis's KVM numbers in absolute terms. Why: ${escapeHtml(meta.missing.find((item) => item.capability === 'kvm-acceleration')?.reason ?? 'see doctor')}</p>`
      : '';
  const missing = meta.missing.length
    ? htmlTable(
        meta.missing,
        [
          { label: 'missing capability', value: (item) => item.capability },
          { label: 'reason', value: (item) => item.reason },
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
