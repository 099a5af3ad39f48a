/**
 * `guestbench doctor`: for each backend, usable or not, why, and the fix.
 */
import {
  checkDocker,
  checkKvm,
  checkNative,
  imagesIfBuilt,
  type BackendCheck,
} from '../../lib/backends/availability.js';
import { checkContainerCheckpoint } from '../../lib/backends/criu.js';
import { checkHostPair } from '../../lib/network/host-pair.js';
import { hostFingerprint } from '../../lib/results/host-fingerprint.js';
import type { Command } from '../cli.js';

function line(check: BackendCheck): string {
  if (check.usable) {
    const notes = check.notes
      .map((note) => `\n      note: ${note.reason}${note.fix ? `\n      fix:  ${note.fix}` : ''}`)
      .join('');
    return `  ok    ${check.backend.padEnd(6)} accel=${check.accel}  ${check.detail}${notes}`;
  }
  return `  FAIL  ${check.backend.padEnd(6)} ${check.reason}\n      fix:  ${check.fix}`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check which backends this host can run, and why not',
  usage: `Usage: guestbench doctor [--cached]

For each backend (native, docker, kvm) says whether it is usable, why not, and the fix.
For kvm it boots a real probe guest under -accel kvm (with a timeout) to learn whether
hardware acceleration works, and otherwise reports the TCG software-emulation fallback.
It also says whether the two hosts of the migration experiment can be made here (network
namespaces, veth, bridges, tap devices, tc), and whether containers can be checkpointed and
restored (CRIU through Docker's checkpoint API: an experimental engine and a passing
\`criu check\`); both are optional.

Options:
  --cached   reuse the last KVM probe result for this kernel, QEMU and image (faster)
  -h, --help show this help

Exit status: 0 when every backend is usable, 1 otherwise.`,
  options: { cached: { type: 'boolean' } },
  async run(values) {
    const host = hostFingerprint();
    process.stdout.write(
      `host: ${host.cpuModel}, ${host.cpus} CPUs, ${Math.round(host.memoryMiB / 1024)} GiB, ${host.os}, kernel ${host.kernel}, /dev/kvm: ${host.kvmModule ?? 'absent'}\n`,
    );
    const { images, reason } = imagesIfBuilt();
    process.stdout.write(
      images
        ? `images: ${images.key} (${images.dir})\n`
        : `images: not built (${reason ?? 'unknown'})\n      fix:  run \`guestbench images build\`\n`,
    );
    const checks = [
      await checkNative(),
      await checkDocker(images),
      await checkKvm(images, { forceProbe: values.cached !== true }),
    ];
    for (const check of checks) process.stdout.write(line(check) + '\n');
    // optional (migration; latency-restore's and migration's container rows): reported, not counted in the exit status
    const hosts = await checkHostPair();
    process.stdout.write(
      hosts.usable
        ? `  ok    hosts  migration between two hosts on this machine: ${hosts.detail}\n`
        : `  --    hosts  migration between two hosts unavailable (migration records its VM rows as unsupported): ${hosts.detail}\n${hosts.fix ? `      fix:  ${hosts.fix}\n` : ''}`,
    );
    const checkpoint = await checkContainerCheckpoint();
    process.stdout.write(
      checkpoint.supported
        ? `  ok    criu   container checkpoint/restore: ${checkpoint.reason} (container migration between two engines is not built yet: docs/migration.md)\n`
        : `  --    criu   container checkpoint/restore and migration unavailable (latency-restore and migration record them as unsupported): ${checkpoint.reason}\n      fix:  ${checkpoint.fix}\n`,
    );
    return checks.every((check) => check.usable) ? 0 : 1;
  },
};
