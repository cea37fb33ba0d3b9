import { join } from 'node:path'

export const DEFAULT_BASE = '/tmp/virtpilot-lab'
export const DEFAULT_CACHE = '/var/tmp/virtpilot-lab-cache'
/** Prefix of every network namespace of the lab: `<name>-hub`, `<name>-h1`, ... */
export const DEFAULT_NAME = 'vplab'
/** The login of the lab hosts: a non-root member of group libvirt whose shell is /bin/sh (fast execs). */
export const TEST_USER = 'vplab'
export const TEST_UID = 64_123
/** The test user's password on the lab hosts (they are reachable only from this machine): for password logins. */
export const TEST_PASSWORD = 'vplab-Pw-7d1c2f'

/** Files of one lab under its base folder. A lab owns its base folder: `down` deletes it. */
export function labPaths(base: string) {
  const ssh = join(base, 'ssh')
  return {
    base,
    /** Written first by `up`; `down` deletes a base folder only when it holds this marker. */
    marker: join(base, '.virtpilot-lab'),
    description: join(base, 'lab.json'),
    sshDir: ssh,
    clientKey: join(ssh, 'id_ed25519'),
    clientPublicKey: join(ssh, 'id_ed25519.pub'),
    authorizedKeys: join(ssh, 'authorized_keys'),
    knownHosts: join(ssh, 'known_hosts'),
    home: join(base, 'home'),
    /** Guest disks and serial consoles: one folder that every host sees, like shared storage. */
    guests: join(base, 'guests'),
  }
}

export function hostPaths(base: string, host: string) {
  const dir = join(base, 'hosts', host)
  const run = join(dir, 'run')
  return {
    dir,
    /** Bind-mounted over /run inside the host's mount namespace. */
    run,
    libvirtSocket: join(run, 'libvirt', 'libvirt-sock'),
    etcLibvirt: join(dir, 'etc-libvirt'),
    varLibLibvirt: join(dir, 'var-lib-libvirt'),
    varLogLibvirt: join(dir, 'var-log-libvirt'),
    varCacheLibvirt: join(dir, 'var-cache-libvirt'),
    capabilitiesCache: join(dir, 'var-cache-libvirt', 'qemu', 'capabilities'),
    passwd: join(dir, 'etc', 'passwd'),
    group: join(dir, 'etc', 'group'),
    shadow: join(dir, 'etc', 'shadow'),
    sshdConfig: join(dir, 'sshd_config'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    hostPublicKey: join(dir, 'ssh_host_ed25519_key.pub'),
    log: join(dir, 'host.log'),
    libvirtdLog: join(dir, 'var-log-libvirt', 'libvirtd.log'),
    /** PID of the host process, written by `up`: the bash that ends as `exec sshd -D`. */
    hostPid: join(dir, 'host.pid'),
    /** Written by sshd once it listens. */
    sshdPid: join(dir, 'sshd.pid'),
    libvirtdPid: join(dir, 'libvirtd.pid'),
    virtlogdPid: join(dir, 'virtlogd.pid'),
  }
}

export function cachePaths(cache: string) {
  return {
    cache,
    kernel: join(cache, 'vmlinuz'),
    initrd: join(cache, 'initramfs.cpio'),
    /** What the cached image was built from; a mismatch rebuilds it. */
    imageInfo: join(cache, 'image.json'),
    /** libvirt's QEMU capabilities probe result, copied into every host to skip a ~10 s probe. */
    capabilities: join(cache, 'libvirt-qemu-capabilities'),
  }
}

export const namespaceOf = (labName: string, host: string): string => `${labName}-${host}`
export const hubNamespaceOf = (labName: string): string => `${labName}-hub`
export const libvirtUriOf = (socket: string): string => `qemu:///system?socket=${socket}`
