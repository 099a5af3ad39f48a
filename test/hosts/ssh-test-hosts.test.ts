/**
 * The namespace ssh hosts the hosts tests run on (test/helpers/ssh-host.ts): reachable by alias only
 * at their own address, refusing an unauthorised key, and gone without a trace after removal.
 */
import * as fs from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSshTestHosts,
  sshTestHostLeftovers,
  sshTestHostsUnavailable,
  type SshTestHosts,
} from '../helpers/ssh-host.js';

const unavailable = sshTestHostsUnavailable();
if (unavailable) console.warn(`skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('namespace ssh test hosts', () => {
  let hosts: SshTestHosts;
  beforeAll(async () => {
    hosts = await createSshTestHosts(2);
  });
  afterAll(async () => {
    await hosts?.remove();
  });

  const ssh = (alias: string, command: string) =>
    execa('ssh', ['-F', hosts.configFile, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', alias, command], {
      reject: false,
      stdin: 'ignore',
    });

  it("runs a command inside each host's own network namespace, by alias", async () => {
    for (const host of hosts.hosts) {
      const result = await ssh(host.alias, 'ip -o -4 addr show dev eth0');
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(String(result.stdout)).toContain(`${host.address}/30`);
    }
    expect(new Set(hosts.hosts.map((host) => host.address)).size).toBe(2);
  });

  it('refuses a key it was not given, without asking for a password', async () => {
    const result = await ssh(hosts.hosts[0]!.refusingAlias, 'true');
    expect(result.exitCode).toBe(255);
    expect(String(result.stderr)).toMatch(/Permission denied \(publickey\)/);
  });

  it('leaves no namespace, sshd or temp file after removal', async () => {
    const extra = await createSshTestHosts(1);
    const [host] = extra.hosts;
    expect(sshTestHostLeftovers()).toContain(host!.netns);
    await extra.remove();
    expect(sshTestHostLeftovers()).not.toContain(host!.netns);
    expect(() => process.kill(host!.sshdPid, 0)).toThrow();
    expect(fs.existsSync(extra.dir)).toBe(false);
    const links = await execa('ip', ['-o', 'link', 'show'], { stdin: 'ignore' });
    expect(String(links.stdout)).not.toContain(host!.veth);
  });
});
