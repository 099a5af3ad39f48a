/**
 * `guestbench hosts check`: whether a host can run campaigns, and what it is. Reachability and sudo
 * come from the connection and the facts script; whether `-accel kvm` really boots a guest there is
 * the installed guestbench's own accelerator probe (`guestbench doctor --cached` run there, the same
 * lib/backends/accel-probe.ts as here), so it needs an install.
 *
 * ```ts
 * const checks = await Promise.all(['lab', 'me@10.0.0.5'].map((host) => checkHost(host, { root })));
 * ```
 */
import { firstLine } from '../util/errors.js';
import { readHostFacts, requireRoot, rootPrefix, type HostFacts } from './host-facts.js';
import { remotePathWord } from './remote-dir.js';
import { hostFailure, type HostFailure } from './host-failure.js';
import { SshConnection, type SshOptions } from './ssh.js';

/** What the installed guestbench's probe says of VMs there. */
export type RemoteAccel =
  /** no finished install there: the probe needs one */
  | { state: 'not-installed' }
  /** the kvm backend is usable: `kvm` (hardware) or `tcg` (software), with the reason KVM was not used */
  | { state: 'probed'; accel: 'kvm' | 'tcg'; note: string | undefined }
  /** the kvm backend is unusable there */
  | { state: 'no-vm'; reason: string }
  /** the probe did not answer as expected */
  | { state: 'unknown'; reason: string };

/** One host's verdict. */
export type HostCheck = { state: 'ok'; host: string; facts: HostFacts; accel: RemoteAccel } | HostFailure;

/**
 * The kvm backend's verdict in `guestbench doctor`'s output (pure): its line is
 * `  ok    kvm      accel=tcg  ...` (then `      note: why not kvm`) or `  FAIL  kvm      reason`.
 */
export function parseDoctorAccel(output: string): RemoteAccel {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => /^\s+(ok|FAIL)\s+kvm\s/.test(line));
  if (at < 0) return { state: 'unknown', reason: 'doctor printed no kvm line' };
  const line = lines[at] as string;
  if (/^\s+FAIL\s/.test(line)) return { state: 'no-vm', reason: line.replace(/^\s+FAIL\s+kvm\s+/, '').trim() };
  const accel = /accel=(kvm|tcg)\b/.exec(line)?.[1] as 'kvm' | 'tcg' | undefined;
  if (!accel) return { state: 'unknown', reason: `no accelerator in doctor's kvm line: ${line.trim()}` };
  let note: string | undefined;
  for (const next of lines.slice(at + 1)) {
    if (!/^\s{6}/.test(next)) break;
    const match = /^\s+note:\s+(.*)$/.exec(next);
    if (match) {
      note = match[1];
      break;
    }
  }
  return { state: 'probed', accel, note };
}

/** Runs the installed guestbench's doctor there and reads its kvm verdict. */
export async function probeRemoteAccel(ssh: SshConnection, facts: HostFacts, root: string): Promise<RemoteAccel> {
  if (!facts.installedCommit) return { state: 'not-installed' };
  const dir = `${remotePathWord(root)}/current`;
  // doctor exits 1 when any backend is unusable: its output is read either way
  const result = await ssh.run(`cd ${dir} && ${rootPrefix(facts)}node bin/guestbench.js doctor --cached`, {
    timeoutMs: 300_000,
  });
  const accel = parseDoctorAccel(result.stdout);
  if (accel.state === 'unknown' && result.stderr.trim())
    return { state: 'unknown', reason: `${accel.reason}; doctor: ${firstLine(result.stderr.trim())}` };
  return accel;
}

/** Checks one host: connect, facts, root, the accelerator probe. Never throws: a failure is a `failed` verdict. */
export async function checkHost(host: string, options: SshOptions & { root: string }): Promise<HostCheck> {
  let ssh: SshConnection | undefined;
  try {
    ssh = await SshConnection.open(host, options);
    const facts = await readHostFacts(ssh, { root: options.root });
    requireRoot(facts);
    const accel = await probeRemoteAccel(ssh, facts, options.root);
    return { state: 'ok', host, facts, accel };
  } catch (error) {
    return hostFailure(host, error);
  } finally {
    await ssh?.close();
  }
}

/** The accelerator verdict as words (pure). */
export function accelText(accel: RemoteAccel, host: string): string {
  switch (accel.state) {
    case 'not-installed':
      return `VMs: not probed (guestbench not installed: run \`guestbench hosts setup ${host}\`)`;
    case 'probed':
      return accel.accel === 'kvm'
        ? 'VMs: -accel kvm boots a guest'
        : `VMs: TCG only (-accel kvm does not boot a guest${accel.note ? `: ${accel.note}` : ''})`;
    case 'no-vm':
      return `VMs: none (${accel.reason})`;
    case 'unknown':
      return `VMs: unknown (${accel.reason})`;
  }
}

/** One line for a host's verdict (pure); `localCommit` is this checkout's. */
export function checkLine(check: HostCheck, localCommit: string | undefined): string {
  if (check.state === 'failed')
    return `FAIL  ${check.host}: ${check.error}${check.fix ? `\n      fix: ${check.fix}` : ''}`;
  const { facts } = check;
  const installed = facts.installedCommit
    ? `guestbench ${facts.installedCommit.slice(0, 12)}${localCommit === undefined ? '' : facts.installedCommit === localCommit ? ' (same as here)' : ` (here: ${localCommit.slice(0, 12)})`}`
    : `guestbench not installed: run \`guestbench hosts setup ${check.host}\``;
  const gib = (facts.memoryMiB / 1024).toFixed(1);
  return (
    `ok    ${check.host}: ${facts.user}${facts.sudo === 'passwordless' ? ' (sudo without a password)' : ''}, ${facts.os}, kernel ${facts.kernel} ${facts.arch}, ` +
    `${facts.cores} cores${facts.cpuModel ? ` (${facts.cpuModel})` : ''}, ${gib} GiB; ${accelText(check.accel, check.host)}; ${installed}`
  );
}
