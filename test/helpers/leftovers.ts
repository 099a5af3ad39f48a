/**
 * What a campaign might leave behind: containers with its label, QEMU processes with its guests'
 * names, and temp directories of the runner.
 */
import * as fs from 'node:fs';
import { execa } from 'execa';
import { podmanMigrationHosts, transferRoot } from '../../lib/backends/podman-migration.js';
import { podman } from '../../lib/backends/podman.js';
import { leftoverContainers } from '../../lib/backends/lxc.js';
import { dockerClient } from '../../lib/util/docker-client.js';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';

/**
 * Containers labelled with the campaign id (running or not), in the Docker engine and in every podman host's storage,
 * and LXC containers recorded as the campaign's.
 */
export async function campaignContainers(campaign: string): Promise<string[]> {
  const docker = await dockerClient()
    .listContainers({ all: true, filters: { label: [`${CAMPAIGN_LABEL}=${campaign}`] } })
    .catch(() => []);
  const podmanNames: string[] = [];
  for (const host of podmanMigrationHosts('runc')) {
    if (!fs.existsSync(host.storageConf)) continue;
    const listed = await podman(host, [
      'ps',
      '-a',
      '--format',
      '{{.Names}}',
      '--filter',
      `label=${CAMPAIGN_LABEL}=${campaign}`,
    ]);
    podmanNames.push(
      ...String(listed.stdout)
        .split('\n')
        .filter(Boolean)
        .map((name) => `podman ${host.name}: ${name}`),
    );
  }
  const lxc = leftoverContainers(campaign).map((name) => `lxc: ${name}`);
  return [...docker.map((container) => container.Names.join(',')), ...podmanNames, ...lxc];
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

/** A container migration's checkpoint transfer directory and pair networks (CNI conflists) of the runner `pid`. */
export function podmanMigrationLeftovers(pid: number): string[] {
  const found: string[] = [];
  if (fs.existsSync(transferRoot(pid))) found.push(transferRoot(pid));
  for (const host of podmanMigrationHosts('runc')) {
    const conflist = `${host.networkDir}/gbm${pid}.conflist`;
    if (fs.existsSync(conflist)) found.push(conflist);
  }
  return found;
}

/** Migration volumes (`guestbench-...-data`) on either podman host, as `host: name`. */
export async function migrationVolumes(): Promise<string[]> {
  const found: string[] = [];
  for (const host of podmanMigrationHosts('runc')) {
    if (!fs.existsSync(host.storageConf)) continue;
    const listed = await podman(host, ['volume', 'ls', '-q', '--filter', 'name=^guestbench-.*-data$']);
    found.push(
      ...String(listed.stdout)
        .split('\n')
        .filter(Boolean)
        .map((name) => `${host.name}: ${name}`),
    );
  }
  return found;
}
