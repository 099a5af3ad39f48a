/**
 * What a campaign might leave behind: containers with its label, QEMU processes with its guests'
 * names, and temp directories of the runner.
 */
import { execa } from 'execa';
import { dockerClient } from '../../lib/util/docker-client.js';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';

/** Containers labelled with the campaign id (running or not). */
export async function campaignContainers(campaign: string): Promise<string[]> {
  const containers = await dockerClient().listContainers({
    all: true,
    filters: { label: [`${CAMPAIGN_LABEL}=${campaign}`] },
  });
  return containers.map((container) => container.Names.join(','));
}

/** QEMU processes whose `-name` starts with `prefix`. */
export async function qemusNamed(prefix: string): Promise<string[]> {
  const result = await execa('pgrep', ['-af', 'qemu-system'], { reject: false });
  return result.stdout.split('\n').filter((line) => line.includes(`-name ${prefix}`));
}

/** QEMU processes whose command line names one of the campaign's guests (named <last 4 of id>-...). */
export async function campaignQemus(campaign: string): Promise<string[]> {
  return await qemusNamed(`${campaign.slice(-4)}-`);
}

/** Network namespaces and initial-namespace interfaces of the migration host pair owned by `pid`. */
export async function hostPairLeftovers(pid: number): Promise<string[]> {
  const { listHostPairLeftovers, hostPairNames } = await import('../../lib/network/host-pair.js');
  const names = Object.values(hostPairNames(pid));
  const found = listHostPairLeftovers();
  return [...found.namespaces, ...found.links].filter((name) => names.includes(name));
}

/** Every migration host pair's namespace or interface on the host, whoever owns it. */
export async function anyHostPairLeftovers(): Promise<string[]> {
  const { listHostPairLeftovers } = await import('../../lib/network/host-pair.js');
  const found = listHostPairLeftovers();
  return [...found.namespaces, ...found.links];
}
