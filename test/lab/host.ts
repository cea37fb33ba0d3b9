import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { appendFile, cp, mkdir, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cachePaths, hostPaths, labPaths, TEST_PASSWORD, TEST_UID, TEST_USER } from './paths'
import { run, waitFor } from './run'

const HOST_SCRIPT = fileURLToPath(new URL('./host-namespace.sh', import.meta.url))

export interface HostSpec {
  base: string
  cache: string
  name: string
  namespace: string
  ip: string
}

export interface StartedHost {
  pids: { sshd: number; libvirtd: number; virtlogd: number }
  /** `ssh-ed25519 AAAA...` */
  hostKey: string
}

/** Writes the host's private /etc/libvirt, libvirt state folders, passwd files, sshd config and host key. */
export async function prepareHost(spec: HostSpec): Promise<void> {
  const paths = hostPaths(spec.base, spec.name)
  const lab = labPaths(spec.base)
  await rm(paths.dir, { recursive: true, force: true })
  for (const dir of [paths.run, paths.varLibLibvirt, paths.varLogLibvirt, paths.varCacheLibvirt, join(paths.dir, 'etc')]) {
    await mkdir(dir, { recursive: true })
  }

  await cp('/etc/libvirt', paths.etcLibvirt, { recursive: true })
  // No domains or autostarted networks inherited from the machine's own libvirt configuration.
  await rm(join(paths.etcLibvirt, 'qemu'), { recursive: true, force: true })
  await mkdir(join(paths.etcLibvirt, 'qemu'))
  await appendFile(
    join(paths.etcLibvirt, 'qemu.conf'),
    [
      '',
      '# virtpilot lab: QEMU as root, no relabelling, no security driver (otherwise libvirt',
      '# re-probes QEMU on every call here: ~4 s each)',
      'user = "root"',
      'group = "root"',
      'dynamic_ownership = 0',
      'security_driver = "none"',
      '',
    ].join('\n'),
  )
  await appendFile(
    join(paths.etcLibvirt, 'libvirtd.conf'),
    [
      '',
      '# virtpilot lab: the non-root test user (group libvirt) may use qemu:///system without polkit',
      'unix_sock_group = "libvirt"',
      'unix_sock_rw_perms = "0770"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      '# migration between lab hosts needs a distinct host UUID each',
      `host_uuid = "${randomUUID()}"`,
      'log_outputs = "3:file:/var/log/libvirt/libvirtd.log"',
      '',
    ].join('\n'),
  )
  await appendFile(join(paths.etcLibvirt, 'virtlogd.conf'), '\nlog_outputs = "3:file:/var/log/libvirt/virtlogd.log"\n')

  await writeFile(paths.passwd, withTestUser(await readFile('/etc/passwd', 'utf8'), `${TEST_USER}:x:${TEST_UID}:${TEST_UID}:virtpilot lab:${lab.home}:/bin/sh`))
  await writeFile(paths.group, withTestGroup(await readFile('/etc/group', 'utf8')))
  // A real password (SHA-512 crypt), so tests can log in with it as admins do; sshd without PAM checks it against this file.
  const hash = (await run(['openssl', 'passwd', '-6', TEST_PASSWORD])).stdout.trim()
  await writeFile(paths.shadow, withTestUser(await readFile('/etc/shadow', 'utf8'), `${TEST_USER}:${hash}:19000:0:99999:7:::`), {
    mode: 0o640,
  })

  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${spec.name}-host-key`, '-f', paths.hostKey])
  await writeFile(
    paths.sshdConfig,
    [
      'Port 22',
      `ListenAddress ${spec.ip}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${paths.hostKey}`,
      `PidFile ${paths.sshdPid}`,
      `AuthorizedKeysFile ${lab.authorizedKeys}`,
      `AllowUsers ${TEST_USER}`,
      'PermitRootLogin no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'PermitEmptyPasswords no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // the base folder is not owned the way StrictModes wants (world-readable /tmp paths)
      'StrictModes no',
      'PrintMotd no',
      // a collector opens many channels on one connection
      'MaxSessions 200',
      'MaxStartups 100:30:200',
      'LogLevel INFO',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  )
}

function withTestUser(file: string, line: string): string {
  const kept = file.split('\n').filter((entry) => entry !== '' && !entry.startsWith(`${TEST_USER}:`))
  return `${[...kept, line].join('\n')}\n`
}

function withTestGroup(file: string): string {
  const lines = file.split('\n').filter((entry) => entry !== '' && !entry.startsWith(`${TEST_USER}:`))
  const withLibvirt = lines.map((entry) => {
    if (!entry.startsWith('libvirt:')) return entry
    const members = (entry.split(':')[3] ?? '').split(',').filter(Boolean)
    return `${entry.split(':').slice(0, 3).join(':')}:${[...members, TEST_USER].join(',')}`
  })
  if (!withLibvirt.some((entry) => entry.startsWith('libvirt:'))) {
    throw new Error('group libvirt does not exist: install libvirt-daemon-system (it creates the group)')
  }
  return `${[...withLibvirt, `${TEST_USER}:x:${TEST_UID}:`].join('\n')}\n`
}

/** Starts the host process detached (it outlives `lab up`) and waits for sshd and libvirtd. */
export async function startHost(spec: HostSpec, timeoutMs: number): Promise<StartedHost> {
  const paths = hostPaths(spec.base, spec.name)
  const log = await open(paths.log, 'a')
  let child
  try {
    // detached: a session of its own, so it outlives `lab up` and no terminal signal reaches it
    child = spawn(
      'unshare',
      ['--mount', '--uts', '--propagation', 'private', 'nsenter', `--net=/run/netns/${spec.namespace}`, 'bash', HOST_SCRIPT, spec.name, paths.dir],
      { detached: true, stdio: ['ignore', log.fd, log.fd] },
    )
  } finally {
    await log.close()
  }
  // unshare, nsenter and bash exec each other: this PID ends as sshd's.
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start host ${spec.name}`)
  await writeFile(paths.hostPid, `${pid}\n`)
  let exited: string | undefined
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`))
  child.unref()

  await waitFor(
    `sshd of ${spec.name} (log: ${paths.log})`,
    async () => {
      if (exited) throw new Error(`host ${spec.name} ${exited}: ${(await readFile(paths.log, 'utf8')).trim().slice(-2000)}`)
      return (await readFile(paths.sshdPid, 'utf8').catch(() => '')).trim() || undefined
    },
    timeoutMs,
  )
  // Makes libvirtd probe QEMU now (~10 s unless seeded from the cache) rather than at the first define.
  await run(['virsh', '-c', `qemu:///system?socket=${paths.libvirtSocket}`, 'capabilities'], { timeoutMs })
  const readPid = async (file: string) => Number((await readFile(file, 'utf8')).trim())
  const publicKey = (await readFile(paths.hostPublicKey, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
  return {
    pids: { sshd: pid, libvirtd: await readPid(paths.libvirtdPid), virtlogd: await readPid(paths.virtlogdPid) },
    hostKey: publicKey,
  }
}

/** Copies an earlier QEMU capabilities probe into the host (libvirt re-probes if the binaries changed). */
export async function seedCapabilities(spec: HostSpec): Promise<void> {
  const capabilities = cachePaths(spec.cache).capabilities
  const cached = await readdir(capabilities).catch(() => [])
  if (cached.length === 0) return
  const target = hostPaths(spec.base, spec.name).capabilitiesCache
  await mkdir(target, { recursive: true })
  await cp(capabilities, target, { recursive: true })
}

/** Saves a host's QEMU capabilities probe into the cache for the next hosts and runs. */
export async function saveCapabilities(base: string, cache: string, host: string): Promise<void> {
  const source = hostPaths(base, host).capabilitiesCache
  const files = await readdir(source).catch(() => [])
  if (files.length === 0) return
  const target = cachePaths(cache).capabilities
  await rm(target, { recursive: true, force: true })
  await mkdir(target, { recursive: true })
  await cp(source, target, { recursive: true })
}
