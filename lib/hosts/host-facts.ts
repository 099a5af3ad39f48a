/**
 * What a remote host is and whether guestbench can use it: read in one round trip by a POSIX sh
 * script (user, passwordless sudo, OS, kernel, arch, CPU, cores, memory, Node.js, the installed
 * guestbench commit), parsed into {@link HostFacts}.
 *
 * ```ts
 * const facts = await readHostFacts(ssh, { root: '~/.local/share/guestbench' });
 * requireRoot(facts); // HostError naming the host and the sudoers line when there is no passwordless sudo
 * ```
 */
import { HostError, ParseError } from '../util/errors.js';
import { INSTALLED_MARKER, remotePathWord } from './remote-dir.js';
import type { SshConnection } from './ssh.js';

/** How the remote user gets root. */
export type SudoState =
  /** logged in as root */
  | 'root'
  /** `sudo -n true` succeeds */
  | 'passwordless'
  /** sudo exists but asks for a password */
  | 'password'
  /** no sudo at all */
  | 'missing';

/** One host's facts. */
export interface HostFacts {
  /** the host as the user named it */
  host: string;
  /** remote user name */
  user: string;
  sudo: SudoState;
  /** /etc/os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)" */
  os: string;
  /** `uname -r` */
  kernel: string;
  /** `uname -m`, e.g. x86_64 */
  arch: string;
  /** the first /proc/cpuinfo "model name" (empty on CPUs without one) */
  cpuModel: string;
  /** `nproc` */
  cores: number;
  /** MemTotal, MiB */
  memoryMiB: number;
  /** `node --version` there, undefined when absent */
  node: string | undefined;
  /** full commit of the finished install `current` points at, undefined when none */
  installedCommit: string | undefined;
}

/** The facts script: one `key=value` per line (pure). */
export function hostFactsScript(root: string): string {
  const dir = `${remotePathWord(root)}/current`;
  return [
    'echo "user=$(id -un)"',
    'if [ "$(id -u)" = 0 ]; then echo sudo=root',
    'elif sudo -n true 2>/dev/null; then echo sudo=passwordless',
    'elif command -v sudo >/dev/null 2>&1; then echo sudo=password',
    'else echo sudo=missing; fi',
    'echo "os=$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -s)"',
    'echo "kernel=$(uname -r)"',
    'echo "arch=$(uname -m)"',
    `echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"`,
    'echo "cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"',
    `echo "memKiB=$(sed -n 's/^MemTotal:[[:space:]]*\\([0-9]*\\) kB/\\1/p' /proc/meminfo)"`,
    'echo "node=$(node --version 2>/dev/null)"',
    `echo "installed=$(cat ${dir}/${INSTALLED_MARKER} 2>/dev/null)"`,
  ].join('\n');
}

const SUDO_STATES: readonly SudoState[] = ['root', 'passwordless', 'password', 'missing'];

/** Parses the facts script's output (pure). */
export function parseHostFacts(host: string, output: string): HostFacts {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const need = (key: string): string => {
    const value = values.get(key);
    if (value === undefined)
      throw new ParseError(`Host \`${host}\`'s facts lack \`${key}\`: ${output.trim().split('\n').join('; ')}`);
    return value;
  };
  const sudo = need('sudo') as SudoState;
  if (!SUDO_STATES.includes(sudo)) throw new ParseError(`Host \`${host}\`: unexpected sudo state \`${sudo}\``);
  const cores = Number(need('cores'));
  const memKiB = Number(need('memKiB'));
  if (!Number.isInteger(cores) || cores < 1 || !Number.isFinite(memKiB) || memKiB <= 0)
    throw new ParseError(
      `Host \`${host}\`: cores \`${values.get('cores')}\` or memory \`${values.get('memKiB')}\` unreadable`,
    );
  return {
    host,
    user: need('user'),
    sudo,
    os: need('os'),
    kernel: need('kernel'),
    arch: need('arch'),
    cpuModel: values.get('cpu') ?? '',
    cores,
    memoryMiB: Math.round(memKiB / 1024),
    node: values.get('node') || undefined,
    installedCommit: values.get('installed') || undefined,
  };
}

/** Reads a host's facts over its connection. */
export async function readHostFacts(ssh: SshConnection, options: { root: string }): Promise<HostFacts> {
  const output = await ssh.output(
    hostFactsScript(options.root),
    'Reading the host facts',
    `check that \`ssh ${ssh.host} sh\` gives a POSIX shell`,
  );
  return parseHostFacts(ssh.host, output);
}

/** Refuses a host where the user is neither root nor has passwordless sudo (engines, namespaces, QEMU need root). */
export function requireRoot(facts: HostFacts): void {
  if (facts.sudo === 'root' || facts.sudo === 'passwordless') return;
  const sudoers = `${facts.user} ALL=(ALL) NOPASSWD: ALL`;
  throw new HostError(
    facts.sudo === 'missing'
      ? `Host \`${facts.host}\`: user ${facts.user} is not root and sudo is not installed`
      : `Host \`${facts.host}\`: user ${facts.user} has no sudo without a password`,
    {
      host: facts.host,
      fix:
        facts.sudo === 'missing'
          ? `install sudo on ${facts.host} and add \`${sudoers}\` to /etc/sudoers.d/guestbench (visudo -f), or log in as root`
          : `add \`${sudoers}\` to /etc/sudoers.d/guestbench on ${facts.host} (visudo -f), or log in as root`,
    },
  );
}

/** The prefix that runs a command as root there (`sudo -n ` unless already root). */
export function rootPrefix(facts: HostFacts): string {
  return facts.sudo === 'root' ? '' : 'sudo -n ';
}
