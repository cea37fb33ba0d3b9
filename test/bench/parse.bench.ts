import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, test } from 'vitest'
import { parseDomstats } from '../../src-main/hosts/libvirt/parse/domstats'
import { parseStatsOutput } from '../../src-main/hosts/libvirt/parse/stats-output'

const outputs = fileURLToPath(new URL('../fixtures/outputs/', import.meta.url))
// One real domain record (2 vCPUs, 1 NIC, 2 disks; telegraf fixture) repeated under new names.
const record = readFileSync(outputs + 'virsh_domstats/telegraf-erasche_domstats_openstack_vm_2vcpu_2disks.txt', 'utf8').trimEnd()
const firstName = /^Domain: '(.*)'$/m.exec(record)![1]!
// A real poll of a lab host gives the /proc sections around domstats.
const poll = readFileSync(outputs + 'virtpilot-lab/stats-h1-sample1.txt', 'utf8')

function domstatsFor(vms: number): string {
  return Array.from({ length: vms }, (_, i) => record.replace(`Domain: '${firstName}'`, `Domain: 'vm-${i} ünï; $(x)'`)).join('\n\n') + '\n'
}
function pollFor(vms: number): string {
  const begin = poll.indexOf('BEGIN domstats\n') + 'BEGIN domstats\n'.length
  const end = poll.indexOf('\n@@VP', begin)
  return poll.slice(0, begin) + domstatsFor(vms) + poll.slice(end)
}

const sizes = [1, 50, 500]
const inputs = new Map(sizes.map((n) => [n, { domstats: domstatsFor(n), poll: pollFor(n) }]))
const vmIdOf = (name: string) => name

for (const n of sizes) {
  const input = inputs.get(n)!
  test(`parse ${n} VM(s): domstats only vs whole stats output (${(input.poll.length / 1024).toFixed(0)} KiB)`, async ({ bench }) => {
    await bench.compare(
      bench(`domstats, ${n} VM(s)`, () => {
        parseDomstats(input.domstats)
      }),
      bench(`stats output, ${n} VM(s)`, () => {
        parseStatsOutput(input.poll, { hostId: 'h', t: 0, vmIdOf })
      }),
    )
  })
}

afterAll(() => {
  // Per-VM cost as a table (vitest's own table gives per-call figures).
  const rows = sizes.map((n) => {
    const input = inputs.get(n)!
    const runs = Math.max(5, Math.round(2000 / n))
    const t0 = performance.now()
    for (let i = 0; i < runs; i++) parseStatsOutput(input.poll, { hostId: 'h', t: 0, vmIdOf })
    const ms = (performance.now() - t0) / runs
    return { vms: n, 'KiB per poll': Number((input.poll.length / 1024).toFixed(1)), 'ms per poll': Number(ms.toFixed(3)), 'µs per VM': Number(((ms * 1000) / n).toFixed(1)) }
  })
  console.table(rows)
})
