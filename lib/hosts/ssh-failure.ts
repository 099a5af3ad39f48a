/**
 * What an `ssh` that exited with 255 (its own failure, not the remote command's) means, as one
 * {@link HostError} naming the host and the fix. The words are OpenSSH's own (9.x client messages).
 *
 * ```ts
 * sshFailure('lab', 'ssh: connect to host 10.0.0.5 port 22: Connection refused');
 * // HostError: Host `lab` refused the SSH connection (ssh: connect to host 10.0.0.5 port 22: Connection refused)
 * ```
 */
import { HostError } from '../util/errors.js';

/** Why ssh could not reach or log in to a host. */
export type SshFailureKind =
  'unknown-host' | 'needs-password' | 'host-key' | 'refused' | 'unreachable' | 'timeout' | 'closed' | 'other';

interface FailureRule {
  kind: SshFailureKind;
  pattern: RegExp;
  message: (host: string) => string;
  fix: (host: string) => string;
}

const RULES: FailureRule[] = [
  {
    kind: 'unknown-host',
    pattern: /Could not resolve hostname/i,
    message: (host) => `Host \`${host}\` is neither a Host alias of your ssh config nor a name that resolves`,
    fix: (host) =>
      `add \`Host ${host}\` with its HostName and User to ~/.ssh/config, or give user@address (try \`ssh ${host} true\`)`,
  },
  {
    kind: 'needs-password',
    pattern: /Permission denied \(|Too many authentication failures|no more authentication methods/i,
    message: (host) =>
      `Host \`${host}\` accepted none of your keys: it would ask for a password, which guestbench never types`,
    fix: (host) =>
      `authorise a key there (\`ssh-copy-id ${host}\`) and load it (ssh-agent or IdentityFile), so that \`ssh -o BatchMode=yes ${host} true\` succeeds`,
  },
  {
    kind: 'host-key',
    pattern: /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i,
    message: (host) => `Host \`${host}\`'s host key is not in your known_hosts (or has changed)`,
    fix: (host) => `connect once with \`ssh ${host}\` and check the key it shows, then rerun`,
  },
  {
    kind: 'refused',
    pattern: /Connection refused/i,
    message: (host) => `Host \`${host}\` refused the SSH connection: no sshd listens at that address and port`,
    fix: (host) => `start sshd on ${host}, or correct its HostName/Port in your ssh config`,
  },
  {
    kind: 'timeout',
    pattern: /timed out/i,
    message: (host) => `Host \`${host}\` did not answer within the connect timeout`,
    fix: (host) => `check that ${host} is up and reachable from here (VPN, firewall), or raise --connect-timeout`,
  },
  {
    kind: 'unreachable',
    pattern: /No route to host|Network is unreachable|Host is down/i,
    message: (host) => `Host \`${host}\` is unreachable from here (no route)`,
    fix: (host) => `check that ${host} is up and its HostName in your ssh config is right`,
  },
  {
    kind: 'closed',
    pattern: /Connection closed by|Connection reset|kex_exchange_identification|Broken pipe/i,
    message: (host) => `Host \`${host}\` closed the SSH connection`,
    fix: (host) => `check ${host}'s sshd (its log, MaxStartups, AllowUsers) and rerun`,
  },
];

/** The first meaningful line of ssh's stderr (its warnings about known_hosts additions are skipped). */
function sshLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Warning: Permanently added'));
  return lines.find((line) => RULES.some((rule) => rule.pattern.test(line))) ?? lines[0] ?? 'no message';
}

/** The kind of an ssh failure, from its stderr (pure). */
export function sshFailureKind(stderr: string): SshFailureKind {
  return RULES.find((rule) => rule.pattern.test(stderr))?.kind ?? 'other';
}

/** The HostError for an ssh client failure (exit status 255) reaching `host`. */
export function sshFailure(host: string, stderr: string, cause?: unknown): HostError {
  const rule = RULES.find((candidate) => candidate.pattern.test(stderr));
  const detail = sshLine(stderr);
  if (!rule)
    return new HostError(`Could not reach host \`${host}\` over SSH (${detail})`, {
      host,
      cause,
      fix: `make \`ssh -o BatchMode=yes ${host} true\` succeed, then rerun`,
    });
  return new HostError(`${rule.message(host)} (${detail})`, { host, cause, fix: rule.fix(host) });
}
