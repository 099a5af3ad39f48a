/**
 * What a campaign might leave behind: containers with its label, QEMU processes with its guests'
 * names, and temp directories of the runner.
 */
import { execa } from 'execa';
import { dockerClient } from '../../lib/backends/docker-client.js';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';

/** Containers labelled with the campaign id (running or not). */
export async function campaignContainers(campaign: string): Promise<string[]> {
  const containers = await dockerClient().listContainers({ all: true, filters: { label: [`${CAMPAIGN_LABEL}=${campaign}`] } });
  return containers.map((container) => container.Names.join(','));
}

/** QEMU processes whose command line names one of the campaign's guests (named <last 4 of id>-...). */
export async function campaignQemus(campaign: string): Promise<string[]> {
  const result = await execa('pgrep', ['-af', 'qemu-system'], { reject: false });
  return result.stdout
    .split('\n')
    .filter((line) => line.includes(`-name ${campaign.slice(-4)}-`));
}
