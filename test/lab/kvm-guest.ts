import { access, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { labPaths } from './paths'
import { removeDomain, virsh, waitForConsole } from './guest'

/**
 * An opt-in guest with KVM acceleration (domain type='kvm'), for the tests of KVM's own counters.
 * The lab's ordinary guests stay TCG: this machine's /dev/kvm is a paravirtual KVM (the `kvm_pvm`
 * module) under which a stock kernel does not boot (the lab kernel with qboot runs its vCPU but
 * never prints a line). SeaBIOS does run: it finds no disk, prints `No bootable device.` on the
 * serial console and then halts, waking on the timer, for as long as the domain runs. That is a
 * vCPU with real KVM counters (exits, halt exits, halt wait time, interrupt injections) at about
 * 1-2 % of a core, once the firmware's first seconds (emulated real-mode code) are over.
 */
export interface KvmGuest {
  name: string
  consoleLog: string
  xmlFile: string
}

/** What SeaBIOS prints on the serial console once it has looked everywhere and settled to halting. */
export const FIRMWARE_IDLE_MARKER = 'No bootable device.'

/** Why the machine cannot run a KVM guest, or undefined when it can (only the device matters: hardware). */
export async function kvmMissing(device = '/dev/kvm'): Promise<string | undefined> {
  try {
    await access(device)
    return undefined
  } catch {
    return `${device} is absent: this machine has no KVM (no hardware virtualization exposed to it)`
  }
}

export function kvmGuestOf(base: string, name: string): KvmGuest {
  const dir = labPaths(base).guests
  return { name, consoleLog: join(dir, `${name}.console.log`), xmlFile: join(dir, `${name}.xml`) }
}

/**
 * The domain: KVM, one vCPU, 64 MiB, SeaBIOS (libvirt's default firmware), no disk, no balloon
 * (no driver would answer it), the serial console appended to a file.
 */
export function kvmDomainXml(guest: KvmGuest): string {
  return `<domain type='kvm'>
  <name>${guest.name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
    <bios useserial='yes'/>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='${guest.consoleLog}' append='on'/><target port='0'/></serial>
    <console type='file'><source path='${guest.consoleLog}' append='on'/><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
`
}

/** Defines and starts the KVM guest on the host behind `uri` (libvirt's error, verbatim, if it refuses). */
export async function startKvmGuest(uri: string, guest: KvmGuest): Promise<void> {
  await rm(guest.consoleLog, { force: true })
  await writeFile(guest.xmlFile, kvmDomainXml(guest))
  await virsh(uri, ['define', guest.xmlFile])
  await virsh(uri, ['start', guest.name])
}

/** Resolves once the firmware printed FIRMWARE_IDLE_MARKER (the limit only guards a hang). */
export async function waitForFirmwareIdle(guest: KvmGuest, timeoutMs = 120_000): Promise<void> {
  await waitForConsole(guest.consoleLog, FIRMWARE_IDLE_MARKER, `"${FIRMWARE_IDLE_MARKER}" from the firmware of ${guest.name} in ${guest.consoleLog}`, timeoutMs, 200)
}

/** Destroys (if running) and undefines the guest, and deletes its files. */
export async function removeKvmGuest(uri: string, guest: KvmGuest): Promise<void> {
  await removeDomain(uri, guest.name, [guest.xmlFile, guest.consoleLog])
}
