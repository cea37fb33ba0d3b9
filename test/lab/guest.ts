import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BOOT_MARKER, type LabGuest } from './description'
import type { GuestImage } from './guest-image'
import { labPaths } from './paths'
import { run, waitFor } from './run'

export interface GuestSpec {
  name: string
  memoryMiB?: number
  /** vCPUs at boot; `setvcpus --live` can raise it up to maxVcpus. */
  vcpus?: number
  maxVcpus?: number
  /** Busy loops the guest starts at boot (its CPU demand in vCPUs). */
  burn?: number
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

/** Fills the defaults and the file paths of a guest of the lab at `base`. */
export function guestOf(base: string, spec: GuestSpec): LabGuest {
  if (!NAME.test(spec.name)) throw new Error(`guest name ${JSON.stringify(spec.name)} is not [A-Za-z0-9_.-]{1,63}`)
  const dir = labPaths(base).guests
  return {
    name: spec.name,
    memoryMiB: spec.memoryMiB ?? 128,
    vcpus: spec.vcpus ?? 1,
    maxVcpus: spec.maxVcpus ?? 2,
    burn: spec.burn ?? 0,
    consoleLog: join(dir, `${spec.name}.console.log`),
    disk: join(dir, `${spec.name}.qcow2`),
  }
}

/**
 * libvirt domain XML of a lab guest: TCG (KVM is not usable for these guests here), qboot (a
 * firmware that boots in a fraction of SeaBIOS's time under TCG), the Debian kernel with the lab
 * initramfs, a virtio disk, the serial console appended to a file (so the
 * boot marker survives a migration), and a virtio balloon that reports stats every 2 s.
 * `no_timer_check`: under TCG on a busy host the kernel's IO-APIC timer test can time out and
 * panic ("IO-APIC + timer doesn't work"), seen here with the machine's 2 cores saturated.
 */
export function domainXml(guest: LabGuest, image: GuestImage, diskFormat: 'qcow2' | 'raw' = 'qcow2'): string {
  return `<domain type='qemu'>
  <name>${guest.name}</name>
  <memory unit='MiB'>${guest.memoryMiB}</memory>
  <currentMemory unit='MiB'>${guest.memoryMiB}</currentMemory>
  <vcpu placement='static' current='${guest.vcpus}'>${guest.maxVcpus}</vcpu>
  <cputune><shares>1024</shares></cputune>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <loader type='rom' readonly='yes'>/usr/share/qemu/qboot.rom</loader>
    <kernel>${image.kernel}</kernel>
    <initrd>${image.initrd}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 no_timer_check mitigations=off cryptomgr.notests vp.name=${guest.name} burn=${guest.burn}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='${diskFormat}'/>
      <source file='${guest.disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='${guest.consoleLog}' append='on'/><target port='0'/></serial>
    <console type='file'><source path='${guest.consoleLog}' append='on'/><target type='serial' port='0'/></console>
    <memballoon model='virtio'><stats period='2'/></memballoon>
  </devices>
</domain>
`
}

export const virsh = (uri: string, args: readonly string[], timeoutMs = 60_000) =>
  run(['virsh', '-q', '-c', uri, ...args], { timeoutMs })

/** Creates the guest's disk, defines the domain on the host behind `uri` and starts it. */
export async function startGuest(uri: string, guest: LabGuest, image: GuestImage): Promise<void> {
  await rm(guest.consoleLog, { force: true })
  await run(['qemu-img', 'create', '-q', '-f', 'qcow2', guest.disk, '16M'])
  const xmlFile = `${guest.disk}.xml`
  await writeFile(xmlFile, domainXml(guest, image))
  await virsh(uri, ['define', xmlFile])
  await virsh(uri, ['start', guest.name])
}

/** Resolves once `marker` appears in a guest's serial console log (the limit only guards a hang). */
export async function waitForConsole(consoleLog: string, marker: string, what: string, timeoutMs: number, everyMs: number): Promise<void> {
  await waitFor(what, async () => ((await readFile(consoleLog, 'utf8').catch(() => '')).includes(marker) ? true : undefined), timeoutMs, everyMs)
}

/** Resolves once the guest's /init printed its boot marker on the serial console. */
export async function waitForBoot(guest: LabGuest, timeoutMs: number): Promise<void> {
  await waitForConsole(guest.consoleLog, BOOT_MARKER, `the boot marker of guest ${guest.name} in ${guest.consoleLog}`, timeoutMs, 100)
}

/** Destroys (if running) and undefines a domain, and deletes its files. */
export async function removeDomain(uri: string, name: string, files: string[]): Promise<void> {
  await virsh(uri, ['destroy', name]).catch(() => undefined)
  await virsh(uri, ['undefine', name]).catch(() => undefined)
  for (const file of files) await rm(file, { force: true })
}

/** Destroys (if running) and undefines a guest, and deletes its disk and console. */
export async function removeGuest(uri: string, guest: LabGuest): Promise<void> {
  await removeDomain(uri, guest.name, [guest.disk, `${guest.disk}.xml`, guest.consoleLog])
}
