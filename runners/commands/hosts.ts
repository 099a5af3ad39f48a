/**
 * `guestbench hosts check|setup NAME...`: the hosts a user has, reached over SSH (docs/hosts.md).
 */
import { checkHost, checkLine } from '../../lib/hosts/check-host.js';
import { remoteRoot } from '../../lib/hosts/remote-dir.js';
import { setupHost, setupLine } from '../../lib/hosts/setup-host.js';
import { validateHostName, type SshOptions } from '../../lib/hosts/ssh.js';
import { parsePositiveInt } from '../../lib/util/cli-args.js';
import { UsageError } from '../../lib/util/errors.js';
import { gitState } from '../../lib/util/git.js';
import type { Command } from '../cli.js';

const ACTIONS = ['check', 'setup'] as const;

/** The ssh options and remote root every action shares, checked. */
function sharedOptions(values: Record<string, string | boolean | undefined>): SshOptions & { root: string } {
  return {
    root: remoteRoot(typeof values['remote-dir'] === 'string' ? values['remote-dir'] : undefined),
    ...(typeof values['ssh-config'] === 'string' ? { configFile: values['ssh-config'] } : {}),
    ...(typeof values['connect-timeout'] === 'string'
      ? { connectTimeoutSeconds: parsePositiveInt(values['connect-timeout'], '--connect-timeout') }
      : {}),
  };
}

export const hostsCommand: Command = {
  name: 'hosts',
  summary: 'check or set up the hosts you reach over SSH, for campaigns there',
  usage: `Usage: guestbench hosts check NAME... [--json]
       guestbench hosts setup NAME... [--no-images]

A host is a name your OpenSSH already knows: a \`Host\` alias of ~/.ssh/config, or user@address.
guestbench runs the system \`ssh\` (BatchMode, one multiplexed connection per host): it needs a key
that logs in without a password and, unless you log in as root, sudo without a password.

  check   one line per host: reachable, sudo, OS, kernel, arch, cores, memory, whether -accel kvm
          boots a guest there (the installed guestbench's own probe), which commit is installed
  setup   installs exactly this checkout's commit there (\`git archive HEAD\` sent over the SSH
          connection, into REMOTE-DIR/<commit>), runs scripts/setup.sh there, and points
          REMOTE-DIR/current at it; a second run says "already at <commit>"

Options:
  --json                 check: one JSON array of the verdicts instead of lines
  --no-images            setup: skip building the guest images there (setup.sh --no-images)
  --remote-dir DIR       where guestbench lives there (default ~/.local/share/guestbench, or
                         GUESTBENCH_REMOTE_DIR)
  --ssh-config FILE      an ssh client config to use instead of ~/.ssh/config (or GUESTBENCH_SSH_CONFIG)
  --connect-timeout S    seconds to wait for each host's SSH connection (default 10)
  -h, --help             show this help

Exit status: 0 when every host is ready (check) or set up (setup), 1 otherwise, 2 on bad input.
See docs/hosts.md.`,
  options: {
    json: { type: 'boolean' },
    'no-images': { type: 'boolean' },
    'remote-dir': { type: 'string' },
    'ssh-config': { type: 'string' },
    'connect-timeout': { type: 'string' },
  },
  maxPositionals: 65,
  async run(values, positionals) {
    const [action, ...hosts] = positionals;
    if (!ACTIONS.includes(action as (typeof ACTIONS)[number]))
      throw new UsageError(`Expected \`guestbench hosts check|setup NAME...\`, got \`${action ?? 'nothing'}\``, {
        fix: 'for example `guestbench hosts check myserver`',
      });
    if (hosts.length === 0)
      throw new UsageError(`Expected at least one host after \`guestbench hosts ${action}\``, {
        fix: `name a Host alias of ~/.ssh/config or user@address, e.g. \`guestbench hosts ${action} myserver\``,
      });
    for (const host of hosts) validateHostName(host);
    if (new Set(hosts).size !== hosts.length)
      throw new UsageError(`Expected each host once, got \`${hosts.join(' ')}\``, { fix: 'name each host once' });
    const options = sharedOptions(values);
    const local = await gitState();
    if (action === 'check') {
      const checks = await Promise.all(hosts.map((host) => checkHost(host, options)));
      if (values.json === true) process.stdout.write(JSON.stringify(checks, null, 2) + '\n');
      else for (const check of checks) process.stdout.write(checkLine(check, local?.commit) + '\n');
      return checks.every((check) => check.state === 'ok') ? 0 : 1;
    }
    const results = await Promise.all(
      hosts.map((host) => setupHost(host, { ...options, images: values['no-images'] !== true })),
    );
    for (const result of results) process.stdout.write(setupLine(result) + '\n');
    return results.every((result) => result.state !== 'failed') ? 0 : 1;
  },
};
