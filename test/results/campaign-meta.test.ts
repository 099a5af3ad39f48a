/**
 * What campaign.json's recorded facts read as on a page: a missing capability's reason without
 * the QEMU command line a probe once recorded inside it.
 */
import { describe, expect, it } from 'vitest';
import { missingReasonText, tcgReason } from '../../lib/results/campaign-meta.js';

// recorded by the accelerator probe of campaign 2026-12-08T01-39-24Z-5be3 on this 2-core host
const RECORDED = "qemu -accel kvm failed: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69 qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed. command: qemu-system-x86_64 -name accel-probe-kvm-6052 -nodefaults -no-user-config -machine pc -accel kvm -cpu host -smp 1 -m 512 -display none -kernel /root/.cache/guestbench/images/a649d82dc047/vmlinuz -initrd /root/.cache/guestbench/images/a649d82dc047/initrd.img -append root=/dev/vda rw init=/usr/local/sbin/guestbench-init console=ttyS0 panic=-1 -drive id=root,file=/root/.cache/guestbench/images/a649d82dc047/disk.raw,format=raw,snapshot=on,if=none -device virtio-blk-pci,drive=root -qmp unix:/tmp/guestbench-6052/accel-probe-kvm-6052-VZYB6O/qmp.sock,server=on,wait=off -chardev socket,id=qga0,path=/tmp/guestbench-6052/accel-probe-kvm-6052-VZYB6O/qga.sock,server=on,wait=off -device virtio-serial-pci,id=vser0 -device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0 -chardev file,id=console0,path=/tmp/guestbench-6052/accel-probe-kvm-6052-VZYB6O/console.log -serial chardev:console0 -no-reboot; KVM module is kvm_pvm (paravirtual KVM, no hardware virtualisation)";

describe('missing capabilities as a page shows them', () => {
  it("keeps the probe's own words and the KVM module, not QEMU's command line", () => {
    const shown = missingReasonText({ capability: 'kvm-acceleration', reason: RECORDED });
    expect(shown).toBe(
      "qemu -accel kvm failed: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69 qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.; KVM module is kvm_pvm (paravirtual KVM, no hardware virtualisation)",
    );
  });

  it('says why VMs ran under TCG only where the accelerator was missing', () => {
    expect(tcgReason({ missing: [{ capability: 'kvm-acceleration', reason: RECORDED }] })).not.toContain('-name accel-probe');
    expect(tcgReason({ missing: [{ capability: 'backend:docker', reason: 'no engine' }] })).toBeUndefined();
    // a reason without a command line is shown as recorded
    expect(missingReasonText({ capability: 'podman-crun', reason: 'runc, because crun does not run containers here' })).toBe(
      'runc, because crun does not run containers here',
    );
  });
});
