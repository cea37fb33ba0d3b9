import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { labPaths } from './paths'

/** One QEMU (TCG) guest of a lab host. Names are unique across all hosts of all labs on the machine. */
export const LabGuestSchema = z.object({
  name: z.string(),
  memoryMiB: z.number().int(),
  vcpus: z.number().int(),
  maxVcpus: z.number().int(),
  /** Busy loops started by the guest's /init: its CPU demand in vCPUs. */
  burn: z.number().int(),
  /** Serial console (appended to, also across migrations); the boot marker appears here. */
  consoleLog: z.string(),
  disk: z.string(),
})

export const LabHostSchema = z.object({
  /** Hostname inside the host's UTS namespace: h1, h2, ... */
  name: z.string(),
  namespace: z.string(),
  ip: z.string(),
  ssh: z.object({
    port: z.number().int(),
    user: z.string(),
    privateKeyPath: z.string(),
    /** The host's public key as an OpenSSH line (`ssh-ed25519 AAAA...`): verify against it. */
    hostKey: z.string(),
    /**
     * argv of a process whose stdin/stdout is a TCP connection to the host's sshd (via the hub
     * namespace: the root namespace has no address on the lab network). Use it as ssh2's `sock`.
     */
    proxyCommand: z.array(z.string()),
    /** The same for OpenSSH's `-o ProxyCommand=...` (%h/%p expanded by ssh). */
    proxyCommandLine: z.string(),
  }),
  libvirt: z.object({
    /** Ground truth for tests from the root namespace: `virsh -c <uri>`. */
    socket: z.string(),
    uri: z.string(),
    /** The URI a program running on the host (over ssh) uses. */
    uriOnHost: z.string(),
  }),
  pids: z.object({ sshd: z.number().int(), libvirtd: z.number().int(), virtlogd: z.number().int() }),
  logs: z.object({ host: z.string(), libvirtd: z.string() }),
  guests: z.array(LabGuestSchema),
})

export const LabDescriptionSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  base: z.string(),
  cache: z.string(),
  createdAt: z.string(),
  network: z.object({ hubNamespace: z.string(), hubIp: z.string(), prefixLength: z.number().int() }),
  ssh: z.object({ user: z.string(), privateKeyPath: z.string(), knownHostsPath: z.string() }),
  guestImage: z.object({
    kernel: z.string(),
    initrd: z.string(),
    bootMarker: z.string(),
    aliveMarker: z.string(),
  }),
  hosts: z.array(LabHostSchema),
})

export type LabGuest = z.infer<typeof LabGuestSchema>
export type LabHost = z.infer<typeof LabHostSchema>
export type LabDescription = z.infer<typeof LabDescriptionSchema>

export const BOOT_MARKER = 'VIRTPILOT-GUEST-BOOTED'
export const ALIVE_MARKER = 'VIRTPILOT-GUEST-ALIVE'

/** Reads and validates `<base>/lab.json`, written by `lab up`. */
export async function readLabDescription(base: string): Promise<LabDescription> {
  const path = labPaths(base).description
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new Error(`no lab description at ${path}: start the lab with \`npm run lab:up\` (base ${base})`)
  }
  return LabDescriptionSchema.parse(JSON.parse(text))
}
