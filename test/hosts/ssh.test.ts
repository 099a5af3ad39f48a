/**
 * The SSH transport (lib/hosts/ssh.ts) against namespace hosts running their own sshd: one master
 * connection per host carries every command, closing it leaves nothing, and each way of failing
 * to reach a host is one HostError naming the host and the fix.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection, shellQuote, validateHostName } from '../../lib/hosts/ssh.js';
import { sshFailure, sshFailureKind } from '../../lib/hosts/ssh-failure.js';
import { HostError, UsageError } from '../../lib/util/errors.js';
import { createSshTestHosts, sshTestHostsUnavailable, type SshTestHosts } from '../helpers/ssh-host.js';

describe('ssh failures', () => {
  // OpenSSH 9.2 client lines, as printed on a failed connection
  const cases: Array<[string, string, RegExp]> = [
    ['ssh: Could not resolve hostname lab: Name or service not known', 'unknown-host', /Host lab/],
    ['root@10.214.0.2: Permission denied (publickey).', 'needs-password', /ssh-copy-id lab/],
    ['user@h: Permission denied (publickey,password).', 'needs-password', /BatchMode=yes lab/],
    ['ssh: connect to host 10.214.0.2 port 22: Connection refused', 'refused', /start sshd on lab/],
    ['ssh: connect to host 10.1.2.3 port 22: Connection timed out', 'timeout', /--connect-timeout/],
    ['Connection timed out during banner exchange', 'timeout', /reachable/],
    ['ssh: connect to host 10.1.2.3 port 22: No route to host', 'unreachable', /HostName/],
    ['Host key verification failed.', 'host-key', /connect once/],
    ['kex_exchange_identification: Connection closed by remote host', 'closed', /sshd/],
  ];
  it.each(cases)('%s -> %s', (stderr, kind, fix) => {
    expect(sshFailureKind(stderr)).toBe(kind);
    const error = sshFailure(
      'lab',
      `Warning: Permanently added '10.1.2.3' (ED25519) to the list of known hosts.\n${stderr}\n`,
    );
    expect(error).toBeInstanceOf(HostError);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.host).toBe('lab');
    expect(error.message).toContain('`lab`');
    expect(error.message).toContain(stderr.trim());
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.fix).toMatch(fix);
  });

  it('keeps an unknown message and still names the host and a fix', () => {
    const error = sshFailure('lab', 'something new\n');
    expect(error.message).toBe('Could not reach host `lab` over SSH (something new)');
    expect(error.fix).toContain('ssh -o BatchMode=yes lab true');
  });
});

describe('host names and quoting', () => {
  it('refuses names ssh would read as options or a shell would split', () => {
    for (const bad of ['', '-oProxyCommand=x', 'a b', 'a;b', "a'b"])
      expect(() => validateHostName(bad)).toThrow(UsageError);
    for (const good of ['lab', 'me@10.0.0.5', 'server.example.org', 'me@[fe80::1]'])
      expect(() => validateHostName(good)).not.toThrow();
  });

  it('quotes any string into one word the shell gives back unchanged', async () => {
    const values = ["it's", '$HOME `id` "x"', 'a\nb', "''", '\\'];
    for (const value of values) {
      const result = await execa('sh', ['-c', `printf %s ${shellQuote(value)}`]);
      expect(result.stdout).toBe(value);
    }
  });
});

const unavailable = sshTestHostsUnavailable();
if (unavailable) console.warn(`skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('SshConnection on namespace hosts', () => {
  let hosts: SshTestHosts;
  beforeAll(async () => {
    hosts = await createSshTestHosts(2);
  });
  afterAll(async () => {
    await hosts?.remove();
  });
  const options = () => ({ configFile: hosts.configFile, connectTimeoutSeconds: 5 });

  it('carries every command over one connection and closes it without a trace', async () => {
    const host = hosts.hosts[0]!;
    const ssh = await SshConnection.open(host.alias, options());
    try {
      const results = await Promise.all([1, 2, 3].map((n) => ssh.run(`echo $((${n} * 2)); exit ${n}`)));
      expect(results.map((result) => [result.stdout.trim(), result.exitCode])).toEqual([
        ['2', 1],
        ['4', 2],
        ['6', 3],
      ]);
      expect((await ssh.run('uname -r')).stdout.trim()).toBe(os.release());
      // one TCP connection to sshd, whatever the number of commands
      const established = await execa('ip', [
        'netns',
        'exec',
        host.netns,
        'ss',
        '-Htn',
        'state',
        'established',
        '( sport = :22 )',
      ]);
      expect(String(established.stdout).trim().split('\n')).toHaveLength(1);
      expect((await ssh.run('cat', { input: 'sent on stdin' })).stdout).toBe('sent on stdin');
      expect(await ssh.isOpen()).toBe(true);
    } finally {
      await ssh.close();
    }
    expect(await ssh.isOpen()).toBe(false);
    expect(fs.existsSync(ssh.controlPath)).toBe(false);
    const left = await execa('pgrep', ['-f', ssh.controlPath], { reject: false });
    expect(left.stdout).toBe('');
  });

  it('names the host and the fix when every key is refused (BatchMode: no password prompt)', async () => {
    const alias = hosts.hosts[0]!.refusingAlias;
    const error = await SshConnection.open(alias, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(
      new RegExp(`^Host \`${alias}\` accepted none of your keys.*Permission denied \\(publickey\\)`),
    );
    expect((error as HostError).fix).toContain(`ssh-copy-id ${alias}`);
  });

  it('names the host and the fix when no sshd listens', async () => {
    const host = hosts.hosts[1]!;
    await hosts.stopSshd(host);
    const error = await SshConnection.open(host.alias, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/refused the SSH connection.*Connection refused/);
    expect((error as HostError).fix).toContain(`start sshd on ${host.alias}`);
  });

  it('names the host and the fix when it does not answer within the connect timeout', async () => {
    const host = hosts.hosts[1]!;
    // the host drops every packet (its sshd is already stopped): the handshake never starts
    await execa('ip', ['netns', 'exec', host.netns, 'iptables', '-A', 'INPUT', '-j', 'DROP']);
    const started = Date.now();
    const error = await SshConnection.open(host.alias, {
      configFile: hosts.configFile,
      connectTimeoutSeconds: 2,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toMatch(/did not answer within the connect timeout.*timed out/);
    expect((error as HostError).fix).toContain('--connect-timeout');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
