/**
 * Reading a host's facts and the accelerator verdict of its doctor (pure parts), on real outputs
 * of the facts script and of `guestbench doctor` on this machine.
 */
import { execa } from 'execa';
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkLine, parseDoctorAccel } from '../../lib/hosts/check-host.js';
import { hostFactsScript, parseHostFacts, requireRoot } from '../../lib/hosts/host-facts.js';
import { remotePathWord } from '../../lib/hosts/remote-dir.js';
import { HostError, ParseError } from '../../lib/util/errors.js';

describe('host facts', () => {
  it('reads this machine through the same script a remote host runs', async () => {
    const { stdout } = await execa('sh', ['-c', hostFactsScript('/nonexistent/guestbench')]);
    const facts = parseHostFacts('here', stdout);
    expect(facts).toMatchObject({
      host: 'here',
      user: os.userInfo().username,
      kernel: os.release(),
      cores: os.availableParallelism(),
      memoryMiB: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      installedCommit: undefined,
    });
    expect(facts.sudo).toBe(process.getuid?.() === 0 ? 'root' : expect.any(String));
  });

  it('refuses output without the keys it needs, naming the host', () => {
    expect(() => parseHostFacts('lab', 'user=me\n')).toThrow(ParseError);
    expect(() => parseHostFacts('lab', 'user=me\nsudo=root\nos=x\nkernel=k\narch=a\ncores=0\nmemKiB=1\n')).toThrow(
      /`lab`/,
    );
  });

  it('asks for passwordless sudo with the sudoers line, unless root', () => {
    const base = parseHostFacts(
      'lab',
      'user=me\nsudo=password\nos=Debian\nkernel=6.1\narch=x86_64\ncores=4\nmemKiB=8192000\n',
    );
    const error = (() => {
      try {
        requireRoot(base);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).message).toBe('Host `lab`: user me has no sudo without a password');
    expect((error as HostError).fix).toContain('`me ALL=(ALL) NOPASSWD: ALL` to /etc/sudoers.d/guestbench on lab');
    expect(() => requireRoot({ ...base, sudo: 'missing' })).toThrow(/sudo is not installed/);
    expect(() => requireRoot({ ...base, sudo: 'passwordless' })).not.toThrow();
    expect(() => requireRoot({ ...base, sudo: 'root' })).not.toThrow();
  });

  it('leaves ~ for the remote shell to expand and quotes the rest', async () => {
    expect(remotePathWord('~/.local/share/guestbench')).toBe(`"$HOME"/'.local/share/guestbench'`);
    const { stdout } = await execa('sh', ['-c', `printf %s ${remotePathWord("~/a b/it's")}`], {
      env: { HOME: '/home/x' },
    });
    expect(stdout).toBe("/home/x/a b/it's");
  });
});

describe("the accelerator verdict in doctor's output", () => {
  // doctor's kvm lines as printed on this machine (kvm_pvm: TCG only) and on a host without QEMU
  const tcg = [
    '  ok    docker   accel=none  engine 20.10.24',
    '  ok    kvm      accel=tcg  qemu 7.2.19, image 1a2b',
    '      Virtual machines (vm): scratch storage, a timed start and shutdown',
    '      note: -accel kvm did not boot the guest within 20 s (last console line: SeaBIOS)',
    '      fix:  use a host with VT-x/AMD-V',
    '  ok    microvm  accel=tcg  qemu 7.2.19',
  ].join('\n');
  it('reads TCG with the reason KVM was not used', () => {
    expect(parseDoctorAccel(tcg)).toEqual({
      state: 'probed',
      accel: 'tcg',
      note: '-accel kvm did not boot the guest within 20 s (last console line: SeaBIOS)',
    });
  });
  it('reads kvm, an unusable kvm backend, and output without a kvm line', () => {
    expect(parseDoctorAccel('  ok    kvm      accel=kvm  qemu 8.2\n      Virtual machines (vm): x\n')).toEqual({
      state: 'probed',
      accel: 'kvm',
      note: undefined,
    });
    expect(
      parseDoctorAccel(
        '  FAIL  kvm      qemu-system-x86_64 is not installed\n      fix:  apt-get install qemu-system-x86',
      ),
    ).toEqual({
      state: 'no-vm',
      reason: 'qemu-system-x86_64 is not installed',
    });
    expect(parseDoctorAccel('guestbench: unexpected error').state).toBe('unknown');
  });
  it('one line per host, naming the commit there against the one here', () => {
    const facts = parseHostFacts(
      'lab',
      'user=root\nsudo=root\nos=Debian GNU/Linux 12 (bookworm)\nkernel=6.1.0-30-amd64\narch=x86_64\ncpu=AMD EPYC 7302\ncores=16\nmemKiB=65536000\nnode=v20.19.0\ninstalled=abcdef1234567890\n',
    );
    expect(
      checkLine(
        { state: 'ok', host: 'lab', facts, accel: { state: 'probed', accel: 'kvm', note: undefined } },
        '0123456789abcdef',
      ),
    ).toBe(
      'ok    lab: root, Debian GNU/Linux 12 (bookworm), kernel 6.1.0-30-amd64 x86_64, 16 cores (AMD EPYC 7302), 62.5 GiB; VMs: -accel kvm boots a guest; guestbench abcdef123456 (here: 0123456789ab)',
    );
  });
});
