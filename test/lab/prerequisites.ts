import { access, constants, readFile } from 'node:fs/promises'
import { run } from './run'

/** The Debian packages the lab runs on, and the command each one provides that we check for. */
export const DEBIAN_PACKAGES: ReadonlyArray<{ name: string; provides: string }> = [
  { name: 'openssh-server', provides: '/usr/sbin/sshd' },
  { name: 'openssh-client', provides: '/usr/bin/ssh-keygen' },
  { name: 'libvirt-daemon-system', provides: '/usr/sbin/libvirtd' },
  { name: 'libvirt-daemon-system', provides: '/usr/sbin/virtlogd' },
  { name: 'libvirt-clients', provides: '/usr/bin/virsh' },
  { name: 'qemu-system-x86', provides: '/usr/bin/qemu-system-x86_64' },
  { name: 'qemu-utils', provides: '/usr/bin/qemu-img' },
  { name: 'busybox-static', provides: '/bin/busybox' },
  { name: 'cpio', provides: '/usr/bin/cpio' },
  { name: 'socat', provides: '/usr/bin/socat' },
  { name: 'iproute2', provides: '/usr/sbin/ip' },
  { name: 'openssl', provides: '/usr/bin/openssl' },
  { name: 'util-linux', provides: '/usr/bin/unshare' },
  { name: 'util-linux', provides: '/usr/bin/nsenter' },
]

/** Why the lab cannot start here, with the fix in the message. */
export class LabPrerequisiteError extends Error {
  override name = 'LabPrerequisiteError'
}

const exists = (path: string, mode = constants.X_OK) =>
  access(path, mode).then(
    () => true,
    () => false,
  )

/** Checks everything the lab needs before touching the machine; throws LabPrerequisiteError naming the fix. */
export async function checkPrerequisites(): Promise<void> {
  if (process.platform !== 'linux') throw new LabPrerequisiteError(`the lab needs Linux (this is ${process.platform})`)
  if (process.getuid?.() !== 0) {
    throw new LabPrerequisiteError(
      'the lab needs root (network namespaces, bind mounts, libvirtd): run it as root, e.g. `sudo npm run lab:up`',
    )
  }
  const missing = new Set<string>()
  for (const { name, provides } of DEBIAN_PACKAGES) if (!(await exists(provides))) missing.add(name)
  if (missing.size > 0) {
    throw new LabPrerequisiteError(
      `missing Debian package(s): ${[...missing].join(' ')}; install with \`apt-get update && apt-get install -y ${[...missing].join(' ')}\``,
    )
  }
  if (!(await exists('/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so', constants.R_OK))) {
    throw new LabPrerequisiteError(
      'libvirt has no QEMU driver: install it with `apt-get install -y libvirt-daemon-driver-qemu`',
    )
  }
  try {
    await run(['ip', 'netns', 'list'], { timeoutMs: 5_000 })
  } catch (error) {
    throw new LabPrerequisiteError(
      `\`ip netns\` does not work here (${(error as Error).message}): install iproute2 (\`apt-get install -y iproute2\`) and run in a machine or container that allows network namespaces (CAP_SYS_ADMIN)`,
    )
  }
  // libvirtd without systemd puts guests into cgroup v1 controllers; schedinfo needs the cpu one.
  const mounts = await readFile('/proc/self/mounts', 'utf8')
  if (!/ cgroup2? /.test(mounts)) {
    throw new LabPrerequisiteError('no cgroup filesystem is mounted at /sys/fs/cgroup: libvirtd cannot run guests')
  }
}
