import { kvmAccelerationWorks } from './libvirt-daemon-harness.js';

/**
 * The XML of a tiny diskless guest (64 MiB, 1 vCPU) that boots to nothing: a real running qemu, enough for
 * lifecycle, stats, events and live migration. KVM where /dev/kvm works, else TCG.
 */
export function tinyGuestXml(name: string): string {
  const type = kvmAccelerationWorks() ? 'kvm' : 'qemu';
  return `<domain type='${type}'>
  <name>${name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'/><console type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>`;
}
