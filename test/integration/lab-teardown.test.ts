// Teardown leaves nothing, after a clean run and after a run killed halfway. Uses a second,
// one-host lab with its own namespace prefix, host names and subnet, beside the shared lab.
import { spawn } from 'node:child_process'
import { readdir, readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { startLab, type LabOptions } from '../lab/lab'
import { labNamespaces, pidsInNamespace } from '../lab/network'
import { run, waitFor } from '../lab/run'
import { stopLab } from '../lab/teardown'
import { describeWithLab } from './lab'

const SMALL_LAB = {
  hosts: 1,
  guests: 1,
  name: 'vptd',
  hostPrefix: 'td',
  subnet: '10.201.0',
  base: '/tmp/virtpilot-lab-teardown-test',
} satisfies LabOptions

/** Everything of the small lab that could outlive its teardown. */
async function leftovers(): Promise<string[]> {
  const found: string[] = []
  for (const namespace of await labNamespaces(SMALL_LAB.name)) found.push(`namespace ${namespace}`)
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const [cmdline, status] = await Promise.all([
      readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${entry}/stat`, 'utf8').catch(() => ''),
    ])
    // zombies have released everything; this machine's init reaps them a little later
    if (cmdline.includes(SMALL_LAB.base) && !/^\d+ \(.*\) Z/.test(status)) {
      found.push(`process ${entry}: ${cmdline.replaceAll('\0', ' ').trim()}`)
    }
  }
  const mounts = await readFile('/proc/self/mountinfo', 'utf8')
  for (const line of mounts.split('\n')) {
    if (line.includes(SMALL_LAB.base) || line.includes(`/run/netns/${SMALL_LAB.name}-`)) found.push(`mount ${line}`)
  }
  const cgroups = (await run(['find', '/sys/fs/cgroup', '-maxdepth', '4', '-name', `qemu-*-${SMALL_LAB.hostPrefix}1-*`])).stdout
  for (const cgroup of cgroups.split('\n').filter(Boolean)) found.push(`cgroup ${cgroup}`)
  if (await stat(SMALL_LAB.base).then(() => true, () => false)) found.push(`folder ${SMALL_LAB.base}`)
  return found
}

describeWithLab('lab teardown', () => {
  it('after a clean run, down leaves no namespace, process, mount, cgroup or folder', async () => {
    const lab = await startLab(SMALL_LAB)
    expect(lab.hosts[0]!.guests).toHaveLength(1)
    expect(await leftovers()).not.toEqual([])
    const report = await stopLab({ base: SMALL_LAB.base })
    expect(report.destroyedGuests).toEqual(['td1-vm1'])
    expect(await leftovers()).toEqual([])
    // idempotent: a second down finds nothing to do
    const again = await stopLab({ base: SMALL_LAB.base, name: SMALL_LAB.name })
    expect(again.stoppedPids).toEqual([])
    expect(again.deletedNamespaces).toEqual([])
  })

  it('after `lab up` is killed while guests boot, `lab down` leaves nothing', async () => {
    const cli = fileURLToPath(new URL('../lab/cli.ts', import.meta.url))
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))
    const up = spawn(
      tsx,
      [cli, 'up', '--hosts', '1', '--guests', '1', '--name', SMALL_LAB.name, '--host-prefix', SMALL_LAB.hostPrefix,
        '--subnet', SMALL_LAB.subnet, '--base', SMALL_LAB.base],
      // its own process group: tsx runs the script in a child node process, both must die
      { stdio: 'ignore', detached: true },
    )
    // kill it as soon as QEMU runs in the host namespace: daemons and a booting guest are left behind
    await waitFor(
      'QEMU in the small lab',
      async () => {
        for (const namespace of await labNamespaces(SMALL_LAB.name)) {
          for (const pid of await pidsInNamespace(namespace)) {
            if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).startsWith('qemu')) return true
          }
        }
        return undefined
      },
      60_000,
      100,
    )
    const exited = new Promise((resolve) => up.once('exit', resolve))
    process.kill(-up.pid!, 'SIGKILL')
    await exited
    expect(await leftovers()).not.toEqual([])

    await run([tsx, cli, 'down', '--base', SMALL_LAB.base], { timeoutMs: 60_000 })
    expect(await leftovers()).toEqual([])
  })
})
