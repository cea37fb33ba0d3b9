import type { Duplex } from 'node:stream'
import type { HostConnection } from '../ssh/connection'

/** Where libvirt's system socket is on Debian, Ubuntu, Fedora, RHEL (/var/run links to /run). */
export const LIBVIRT_SOCKET = '/run/libvirt/libvirt-sock'

/** mktemp's template on the source: a fresh directory, mode 0700, for the tunnel's socket. */
export const TUNNEL_DIR_TEMPLATE = '/tmp/virtpilot-migrate.XXXXXXXXXX'
const TUNNEL_DIR = /^\/tmp\/virtpilot-migrate\.[A-Za-z0-9]{10}$/

export interface LibvirtTunnel {
  /** The socket on the source that leads to the destination's libvirt (for `--desturi`). */
  socket: string
  /** Closes the listener and every stream, and removes the directory on the source. */
  close(): Promise<void>
}

/**
 * Lets `virsh migrate` on the source reach the destination's libvirt without any trust between
 * the hosts, and without a listener anyone else could use: a Unix socket in a fresh 0700
 * directory on the source, owned by VirtPilot's SSH user there, carried through VirtPilot's two
 * SSH connections to the destination's libvirt socket. It takes exactly one connection (the one
 * `virsh migrate` opens) and stops listening then; the caller closes it as soon as virsh returns.
 * What remains trusted: the source's root, who can act as that user, can drive the destination's
 * libvirt while the migration runs. Only libvirt's control traffic uses the tunnel; the guest's
 * memory goes directly from host to host (--migrateuri).
 */
export async function libvirtTunnel(source: HostConnection, destination: HostConnection): Promise<LibvirtTunnel> {
  await Promise.all([source.connect(), destination.connect()])
  // A VirtPilot killed mid-migration cannot remove its directory: the next migration from this host
  // does, once it is a minute old. Its path is needed only from mktemp until virsh connects (seconds);
  // an open connection does not need it.
  await source.exec(['find', '/tmp', '-maxdepth', '1', '-type', 'd', '-name', 'virtpilot-migrate.??????????', '-mmin', '+1', '-exec', 'rm', '-rf', '--', '{}', '+'], { timeoutMs: 20_000 }).catch(() => undefined)
  const made = await source.exec(['mktemp', '-d', TUNNEL_DIR_TEMPLATE], { timeoutMs: 20_000 })
  const dir = made.stdout.trim()
  if (made.code !== 0 || !TUNNEL_DIR.test(dir)) {
    throw new Error(`${source.label}: could not make a private directory for the migration tunnel (mktemp -d said ${JSON.stringify((made.stderr || made.stdout).trim().slice(0, 200))})`)
  }
  const socket = `${dir}/libvirt.sock`
  const open = new Set<Duplex>()
  let taken = false
  let listener: { close: () => Promise<void> } | undefined
  const removeDir = () => source.exec(['rm', '-rf', '--', dir], { timeoutMs: 20_000 }).then(() => undefined, () => undefined)
  try {
    listener = await source.listenOnHostSocket(socket, (inbound) => {
      // One connection: virsh's. Anything after it is refused, and the listener goes away.
      if (taken) return void inbound.destroy()
      taken = true
      void listener?.close()
      open.add(inbound)
      destination
        .openSocketOnHost(LIBVIRT_SOCKET)
        .then((outbound) => {
          open.add(outbound)
          inbound.pipe(outbound).pipe(inbound)
          const end = () => {
            inbound.destroy()
            outbound.destroy()
            open.delete(inbound)
            open.delete(outbound)
          }
          inbound.on('close', end).on('error', end)
          outbound.on('close', end).on('error', end)
        })
        .catch(() => inbound.destroy())
    })
  } catch (error) {
    await removeDir()
    throw error
  }
  let closed = false
  return {
    socket,
    async close() {
      if (closed) return
      closed = true
      await listener?.close()
      for (const stream of open) stream.destroy()
      open.clear()
      await removeDir()
    },
  }
}
