/**
 * `guestbench cleanup`: removes what a killed campaign could leave behind. QEMU guests die with
 * their runner (the kernel kills them when it dies), but containers belong to the Docker engine.
 */
import { removeLeftoverContainers } from '../../lib/backends/docker.js';
import type { Command } from '../cli.js';

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'remove containers left by a campaign that was killed (kill -9, power loss)',
  usage: `Usage: guestbench cleanup [--campaign ID]

Removes every container guestbench created (label org.guestbench), or only one campaign's.
A campaign stopped with Ctrl-C or SIGTERM cleans up after itself; this is for one that was
killed outright. Do not run it while a campaign is running.

Options:
  --campaign ID   only this campaign's containers
  -h, --help      show this help`,
  options: { campaign: { type: 'string' } },
  async run(values) {
    const removed = await removeLeftoverContainers(typeof values.campaign === 'string' ? values.campaign : undefined);
    process.stdout.write(`removed ${removed} container(s)\n`);
    return 0;
  },
};
