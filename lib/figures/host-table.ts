/**
 * Table 4.1 beside this host: the thesis's machine and ours, line by line.
 */
import type { HostFingerprint } from '../results/campaign-meta.js';
import type { ThesisHostValue } from '../analysis/thesis-points.js';
import { htmlTable } from './html-table.js';

const GiB = 2 ** 30;

function thesisText(rows: readonly ThesisHostValue[], metric: string): string {
  const found = rows.filter((row) => row.metric === metric);
  if (found.length === 0) return '–';
  return found
    .map((row) =>
      row.unit === 'bytes' && typeof row.value === 'number'
        ? `${Math.round(row.value / (row.value >= 1e11 ? 1e9 : GiB))} ${row.value >= 1e11 ? 'GB' : 'GiB'}`
        : String(row.value),
    )
    .join(' / ');
}

/**
 * Renders the comparison; `versions` is campaign.json's tool versions; `guest` null leaves out the guest-size line
 * (migration's guests come in several sizes).
 */
export function hostComparisonHtml(
  host: HostFingerprint,
  versions: Record<string, string>,
  thesis: readonly ThesisHostValue[],
  guest: { vcpus: number; memoryMiB: number } | null,
): string {
  const version = (pattern: RegExp) => Object.entries(versions).find(([name]) => pattern.test(name))?.[1] ?? '–';
  const lines: Array<{ label: string; thesis: string; ours: string }> = [
    { label: 'CPU model', thesis: thesisText(thesis, 'cpu_model'), ours: host.cpuModel },
    { label: 'architecture', thesis: thesisText(thesis, 'architecture'), ours: host.arch },
    {
      label: 'cores per socket',
      thesis: thesisText(thesis, 'cores_per_socket'),
      ours: host.cores === null ? '–' : String(host.cores),
    },
    {
      label: 'threads per core',
      thesis: thesisText(thesis, 'threads_per_core'),
      ours: host.threadsPerCore === null ? '–' : String(host.threadsPerCore),
    },
    { label: 'logical CPUs', thesis: thesisText(thesis, 'threads'), ours: String(host.cpus) },
    { label: 'RAM', thesis: thesisText(thesis, 'ram'), ours: `${(host.memoryMiB / 1024).toFixed(1)} GiB` },
    {
      label: 'disk',
      thesis: `${thesisText(thesis, 'disk_type')}, ${thesisText(thesis, 'disk_capacity')}`,
      ours: `${host.disk.device ?? '?'}${host.disk.model ? ` ${host.disk.model}` : ''}, ${host.disk.sizeGiB ?? '?'} GiB, ${host.disk.rotational === null ? '?' : host.disk.rotational ? 'rotational' : 'non-rotational'}`,
    },
    { label: 'host OS', thesis: thesisText(thesis, 'host_os'), ours: host.os },
    { label: 'kernel', thesis: thesisText(thesis, 'kernel'), ours: host.kernel },
    { label: 'hardware virtualisation', thesis: 'KVM (VT-x)', ours: host.kvmModule ?? 'no /dev/kvm' },
    { label: 'QEMU', thesis: thesisText(thesis, 'qemu_version'), ours: version(/^qemu/) },
    { label: 'Docker', thesis: thesisText(thesis, 'docker_version'), ours: version(/^docker engine/) },
    { label: 'sysbench', thesis: thesisText(thesis, 'sysbench_version'), ours: version(/^sysbench/) },
    {
      label: 'guest OS',
      thesis: thesisText(thesis, 'guest_os'),
      ours: 'Debian 12 (bookworm), one rootfs for VM and container',
    },
    ...(guest === null
      ? []
      : [
          {
            label: 'guest size (VM)',
            thesis: `${thesisText(thesis, 'guest_vcpus')} vCPU, ${thesisText(thesis, 'guest_memory')}`,
            ours: `${guest.vcpus} vCPU, ${guest.memoryMiB} MiB`,
          },
        ]),
  ];
  return htmlTable(
    lines,
    [
      { label: '', value: (line) => line.label },
      { label: 'thesis (Table 4.1, §4.4)', value: (line) => line.thesis },
      { label: 'this host', value: (line) => line.ours },
    ],
    "Table 4.1: the thesis's machine beside this one",
  );
}
