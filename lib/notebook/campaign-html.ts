/**
 * HTML panels that state where a campaign's numbers come from: shown at the top of each notebook.
 */
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
