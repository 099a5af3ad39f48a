/**
 * `guestbench cleanup`: removes what a killed campaign could leave behind. QEMU guests die with
 * their runner (the kernel kills them when it dies), but containers belong to the Docker engine
 * and a migration's network namespaces and interfaces to the kernel.
 */
import { backendProviders } from '../../lib/backends/registry.js';
import { sweepStaleHostPairs } from '../../lib/network/host-pair.js';
import type { Command } from '../cli.js';

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'remove containers and migration network namespaces left by a campaign that was killed (kill -9)',
  usage: `Usage: guestbench cleanup [--campaign ID]

Removes every container guestbench created (Docker and podman: label org.guestbench; LXC: the
containers under /var/lib/guestbench/lxc/containers), or only one campaign's, the migration
experiment's network namespaces and interfaces (gbm-<pid>-src/dst, gbm<pid>b/s/d) and the VM run
directories and disk overlays in $TMPDIR (guestbench-<pid>, guestbench-snapshots-<pid>) whose
campaign no longer runs. An engine that is not running is skipped with its reason. A campaign
stopped with Ctrl-C or SIGTERM cleans up after itself; this is for one that was killed outright.
Do not run it while a campaign is running.

Options:
  --campaign ID   only this campaign's containers
  -h, --help      show this help`,
  options: { campaign: { type: 'string' } },
  async run(values) {
    const campaign = typeof values.campaign === 'string' ? values.campaign : undefined;
    // each backend removes what outlives its runner: containers, VM run directories and disk overlays
    // an engine that is not running holds nothing to remove: say so and go on with the others
    for (const provider of backendProviders()) {
      let lines: string[];
      try {
        lines = (await provider.cleanup?.({ ...(campaign ? { campaign } : {}) })) ?? [];
      } catch (error) {
        lines = [`skipped: ${error instanceof Error ? error.message : String(error)}`];
      }
      for (const line of lines) process.stdout.write(`${provider.name}: ${line}\n`);
    }
    const pairs = sweepStaleHostPairs();
    process.stdout.write(
      `removed ${pairs.namespaces.length} network namespace(s) and ${pairs.links.length} interface(s) of migration host pairs${pairs.namespaces.length + pairs.links.length > 0 ? `: ${[...pairs.namespaces, ...pairs.links].join(', ')}` : ''}\n`,
    );
    return 0;
  },
};
