import type { Duplex } from 'node:stream'
import type { HostConnection } from '../ssh/connection'

/** Where libvirt's system socket is on Debian, Ubuntu, Fedora, RHEL (/var/run links to /run). */
export const LIBVIRT_SOCKET = '/run/libvirt/libvirt-sock'

/**
 * Lets `virsh migrate` on the source reach the destination's libvirt without any trust between
 * the hosts: a port on the source's loopback, carried through VirtPilot's two SSH connections to
 * the destination's libvirt socket. Only libvirt's control traffic uses it; the guest's memory
 * goes directly from host to host (--migrateuri).
 */
export async function libvirtTunnel(source: HostConnection, destination: HostConnection): Promise<{ port: number; close: () => Promise<void> }> {
  await Promise.all([source.connect(), destination.connect()])
  const open = new Set<Duplex>()
  const listener = await source.listenOnHost((inbound) => {
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
  return {
    port: listener.port,
    async close() {
      await listener.close()
      for (const stream of open) stream.destroy()
      open.clear()
    },
  }
}
