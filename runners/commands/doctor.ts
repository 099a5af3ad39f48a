/**
 * `guestbench doctor`: for each backend, usable or not, why, and the fix.
 */
import {
  checkBackend,
  createCheckedBackend,
  imagesIfBuilt,
  type BackendCheck,
} from '../../lib/backends/availability.js';
import type { CapabilityCheck } from '../../lib/backends/capabilities.js';
import type { ImageSet } from '../../lib/images/index.js';
import { BACKEND_NAMES, CAPABILITY_NAMES, backendDescriptor } from '../../lib/model/backends.js';
import { UNRUNNABLE_SYSTEMS } from '../../lib/model/unrunnable-systems.js';
import { checkHostPair } from '../../lib/network/host-pair.js';
import { hostFingerprint } from '../../lib/results/host-fingerprint.js';
import type { Command } from '../cli.js';

const WIDTH = Math.max(...BACKEND_NAMES.map((name) => name.length));

/** What the backend's implementation can do, from the backend table. */
function capabilities(check: BackendCheck): string {
  const descriptor = backendDescriptor(check.backend);
  const can = descriptor.capabilities.map((key) => CAPABILITY_NAMES[key]);
  return `\n      ${descriptor.title} (${descriptor.kind}): ${can.length > 0 ? can.join(', ') : 'start, exec, stop only'}`;
}

/**
 * The checks of a usable backend's optional capabilities (save/restore, live migration: CRIU, an experimental engine),
 * one line each; a missing one is reported, not counted in the exit status.
 */
async function capabilityChecks(check: BackendCheck, images: ImageSet | undefined) {
  if (!check.usable) return '';
  const backend = createCheckedBackend(check, images, { campaign: 'doctor', containerLimits: false });
  const checked: Array<[string, CapabilityCheck]> = [];
  const { saveRestore, liveMigration } = backend.capabilities;
  if (saveRestore) checked.push([CAPABILITY_NAMES.saveRestore, await saveRestore.check()]);
  if (liveMigration) checked.push([CAPABILITY_NAMES.liveMigration, await liveMigration.check()]);
  return checked
    .map(([what, result]) =>
      result.usable
        ? `\n      ok  ${what}: ${result.detail}`
        : `\n      --  ${what} unavailable (its rows are recorded unsupported): ${result.reason}\n          fix: ${result.fix}`,
    )
    .join('');
}

function line(check: BackendCheck): string {
  if (check.usable) {
    const notes = check.notes
      .map((note) => `\n      note: ${note.reason}${note.fix ? `\n      fix:  ${note.fix}` : ''}`)
      .join('');
    return `  ok    ${check.backend.padEnd(WIDTH)} accel=${check.accel}  ${check.detail}${capabilities(check)}${notes}`;
  }
  return `  FAIL  ${check.backend.padEnd(WIDTH)} ${check.reason}\n      fix:  ${check.fix}`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check which backends this host can run, and why not',
  usage: `Usage: guestbench doctor [--cached]

For each backend (${BACKEND_NAMES.join(', ')}) says whether it is usable, why not, and the fix,
and what it can do (scratch storage, a timed start, save/restore, live migration).
For kvm it boots a real probe guest under -accel kvm (with a timeout) to learn whether
hardware acceleration works, and otherwise reports the TCG software-emulation fallback.
It also says whether the two hosts of the migration experiment can be made here (network
namespaces, veth, bridges, tap devices, tc), and for each usable backend whether its save/restore
and live migration work here (containers: a CRIU that passes \`criu check\` and is new enough for
the kernel; Docker: an experimental engine); these are optional. Last, the systems the seed papers
compare that guestbench cannot run (Xen, OSv), each with why.

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
    const checks: BackendCheck[] = [];
    for (const name of BACKEND_NAMES) {
      const check = await checkBackend(name, { images, forceProbe: values.cached !== true });
      checks.push(check);
      process.stdout.write(line(check) + (await capabilityChecks(check, images)) + '\n');
    }
    // optional (migration): reported, not counted in the exit status
    const hosts = await checkHostPair();
    process.stdout.write(
      hosts.usable
        ? `  ok    hosts  migration between two hosts on this machine: ${hosts.detail}\n`
        : `  --    hosts  migration between two hosts unavailable (migration records its rows as unsupported): ${hosts.detail}\n${hosts.fix ? `      fix:  ${hosts.fix}\n` : ''}`,
    );
    // the seeds' other systems, so the full set they compare is on one screen; not counted in the exit status
    for (const system of UNRUNNABLE_SYSTEMS) {
      process.stdout.write(`  --    ${system.name.padEnd(WIDTH)} not run by guestbench: ${system.why}\n`);
    }
    return checks.every((check) => check.usable) ? 0 : 1;
  },
};
