import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { recommend } from '../../../shared/engine/recommend'
import type { Host, Plan, Snapshot, Vm, VmSample } from '../../../shared/model'
import { escapeUnsafe } from '../../../shared/text/control'
import { csvCell } from '../../../shared/text/csv'
import { planToAnsible, planToShell } from '../../../src-main/apply/export'
import { buildPlan, commandContext } from '../../../src-main/apply/plan-builder'
import { auditToCsv } from '../../../src-main/export/audit-csv'
import { parseDomainXml } from '../../../src-main/hosts/libvirt/parse/domain-xml'
import { TUNNEL_SOCKET } from '../../../src-main/hosts/libvirt/commands'

// A VM's name is chosen by whoever controls the host. Exported scripts and playbooks are run on
// the admin's workstation: no name may ever become a command there, or on a host.

const T0 = Date.UTC(2026, 0, 1)
const HOUR = 3_600_000
/** What a stub `mktemp -d` prints on the source: a directory name as the real one makes it. */
const REMOTE_DIR = '/tmp/virtpilot-migrate.Ab3dEf9hIj'

function host(id: string): Host {
  return { id, name: id, source: 'libvirt', state: 'online', cpu: { model: 'x', sockets: 1, coresPerSocket: 8, threadsPerCore: 1, threads: 8, mhz: 2600 }, memoryMiB: 32768, numa: [], tags: [] }
}

/** Two hosts, two VMs on the first with the given names: one busy (grow, and a move to the idle host), one idle (shrink). */
function cluster(names: readonly [string, string]): { snapshot: Snapshot; history: Parameters<typeof recommend>[0]['history'] } {
  const vms: Vm[] = names.map((name, i) => ({
    id: `vm-${i}`,
    name,
    uuid: `0000000${i}-0000-4000-8000-00000000000${i}`,
    hostId: 'h1',
    state: 'running',
    allocation: { vcpus: 4, maxVcpus: 8, memoryMiB: 8192, maxMemoryMiB: 16384 },
    tags: [],
  }))
  const busy = [7.8, 0.3]
  const samples: VmSample[] = vms.map((v, i) => ({ vmId: v.id, hostId: 'h1', t: T0, cpuPct: (busy[i]! / 4) * 100, cpuUsedCores: busy[i]!, cpuReadyPct: 0, memUsedMiB: i === 0 ? 7900 : 900, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }))
  const points = 24 * 10
  const history = {
    vms: Object.fromEntries(
      vms.map((v, i) => [
        v.id,
        {
          t: Array.from({ length: points }, (_, k) => T0 - (points - k) * HOUR),
          cpuUsedCores: Array.from({ length: points }, () => busy[i]!),
          memUsedMiB: Array.from({ length: points }, () => (i === 0 ? 7900 : 900)),
        },
      ]),
    ),
  }
  return { snapshot: { t: T0, hosts: [host('h1'), host('h2')], vms, hostSamples: [], vmSamples: samples }, history }
}

/** recommend -> approve all -> plan, as the app does it. */
function planFor(names: readonly [string, string]): Plan {
  const { snapshot, history } = cluster(names)
  const out = recommend({ snapshot, history, now: T0, seed: 1 })
  const recs = out.recommendations.filter((r) => r.kind !== 'tuning')
  const ctx = commandContext(snapshot, (h) => (h === 'h1' ? '10.0.0.1' : '10.0.0.2'), true)
  return buildPlan({ id: 'plan-test', now: T0, approvedBy: 'ann@cli', recommendations: recs, snapshot, ctx, parallelism: 1 })
}

let dir: string
let bin: string
let remoteBin: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-export-'))
  bin = join(dir, 'bin')
  remoteBin = join(dir, 'remote-bin')
  mkdirSync(bin)
  mkdirSync(remoteBin)
  const script = (path: string, text: string) => {
    writeFileSync(path, text)
    chmodSync(path, 0o755)
  }
  // Stub ssh: no network; the remote command (the words after `--`, joined as ssh joins them) runs
  // in a real POSIX shell that finds only the stub virsh, mktemp and rm. Anything else is "not found".
  script(join(bin, 'ssh'), `#!/bin/sh\nwhile [ $# -gt 0 ]; do\n  if [ "$1" = -- ]; then shift; PATH="${remoteBin}" exec /bin/sh -c "$*"; fi\n  shift\ndone\nexit 0\n`)
  script(join(remoteBin, 'virsh'), `#!/bin/sh\nprintf '%s\\0' virsh "$@" >> "$VIRSH_LOG"\nprintf '\\n\\0' >> "$VIRSH_LOG"\n`)
  script(join(remoteBin, 'mktemp'), `#!/bin/sh\necho ${REMOTE_DIR}\n`)
  script(join(remoteBin, 'rm'), '#!/bin/sh\nexit 0\n')
  for (const tool of ['mktemp', 'rm']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim(), join(bin, tool))
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs an exported script with the stubs; returns what virsh was asked to do on the hosts. */
function runScript(script: string): { status: number | null; stderr: string; virsh: string[][] } {
  const file = join(dir, 'plan.sh')
  const log = join(dir, 'virsh.log')
  writeFileSync(file, script)
  writeFileSync(log, '')
  const run = spawnSync('/bin/sh', [file], { cwd: dir, env: { PATH: bin, VIRSH_LOG: log, HOME: dir }, encoding: 'utf8', timeout: 30_000 })
  const calls = readFileSync(log, 'utf8').split('\n\0').filter(Boolean).map((c) => c.split('\0').slice(0, -1))
  return { status: run.status, stderr: run.stderr, virsh: calls }
}

/** What the hosts must be asked, in order: each step's commands (the tunnel's socket filled in), then its read-back. */
function expectedVirsh(plan: Plan): string[][] {
  return plan.steps.flatMap((s) => [...s.commands.map((c) => c.argv.map((a) => a.replace(TUNNEL_SOCKET, `${REMOTE_DIR}/libvirt.sock`))), ...s.verify.map((c) => c.argv)])
}

const unsafeTag = [{ tag: '!unsafe', resolve: (text: string) => text }]

/** Names a hostile host might report: shell, YAML, Jinja and terminal syntax, line breaks of every kind. */
const hostileName = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc
    .array(
      fc.constantFrom('\n', '\r', '\u0085', '\u2028', '\u2029', '\u202e', '\0', '\x1b]0;x\x07', "'", '"', '`', '$(', ')', ';', '&', '|', '#', '\\', '{{', '}}', "lookup('pipe','touch pwned')", '{%', '%}', ': ', '- ', '!unsafe ', '*a', '&a', '---', 'touch pwned', ' ', 'web01', '名前', '🙂', '\ud800'),
      { minLength: 1, maxLength: 12 },
    )
    .map((parts) => parts.join('')),
)

describe('exported plans hold names as data', () => {
  it('the VM name from the security review (an encoded newline) stays on its echo line; the script parses and runs only virsh', { timeout: 60_000 }, () => {
    const xml = `<domain type='kvm'><name>web01&#10;touch ${join(dir, 'pwned-by-vm-name')} #</name><uuid>00000000-0000-4000-8000-000000000000</uuid><memory unit='KiB'>1048576</memory><vcpu>2</vcpu></domain>`
    const parsed = parseDomainXml(xml)
    if (!parsed.ok) throw new Error(parsed.error.message)
    // Even a name that skipped the parser's escaping (raw) must stay text in the script.
    for (const name of [parsed.value.name, `web01\ntouch ${join(dir, 'pwned-by-vm-name')} #`] as const) {
      const plan = planFor([name, 'idle'])
      const script = planToShell(plan, (h) => `admin@${h}.lab`)
      expect(script.split('\n').filter((l) => l.includes('pwned-by-vm-name')).every((l) => l.startsWith("echo '"))).toBe(true)
      expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0)
      const run = runScript(script)
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.virsh).toEqual(expectedVirsh(plan))
    }
    expect(spawnSync('find', [dir, '-name', 'pwned*']).stdout.toString()).toBe('')
  })

  it('any names, through recommend -> plan -> shell script: bash -n passes and the only commands run are the plan\'s virsh calls (fast-check)', { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(hostileName, hostileName, (a, b) => {
        fc.pre(a !== b)
        const plan = planFor([a, b])
        expect(plan.steps.length).toBeGreaterThanOrEqual(2)
        expect(plan.steps.some((s) => s.action.kind === 'migrate')).toBe(true)
        const script = planToShell(plan, (h) => `admin@${h}.lab`)
        const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' })
        expect(syntax.stderr).toBe('')
        expect(syntax.status).toBe(0)
        const run = runScript(script)
        expect(run.stderr).toBe('')
        expect(run.status).toBe(0)
        expect(run.virsh).toEqual(expectedVirsh(plan))
        expect(spawnSync('find', [dir, '-name', 'pwned*']).stdout.toString()).toBe('')
      }),
      { numRuns: 30 },
    )
  })

  it('any names, through recommend -> plan -> Ansible playbook: every string is !unsafe (never templated) and reads back exactly (fast-check)', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(hostileName, hostileName, (a, b) => {
        fc.pre(a !== b)
        const plan = planFor([a, b])
        const playbook = planToAnsible(plan, (h) => `admin@${h}.lab:2222`)
        // Keys carrying data are all tagged: Ansible does not template !unsafe strings.
        for (const line of playbook.split('\n').filter((l) => /^\s*-? ?(name|hosts|delegate_to|argv):/.test(l))) expect(line).toMatch(/: (!unsafe "|\[!unsafe ")/)
        const plays = parseYaml(playbook, { customTags: unsafeTag }) as { name: string; hosts: string; tasks: { name: string; 'ansible.builtin.command': { argv: string[] } }[] }[]
        expect(plays).toHaveLength(plan.steps.length)
        plays.forEach((play, i) => {
          const step = plan.steps[i]!
          // Lone surrogates are no text; YAML (UTF-8) holds U+FFFD in their place.
          expect(play.name).toBe(`${step.id}: ${step.title}`.replace(/[\ud800-\udfff]/gu, '\ufffd'))
          expect(play.hosts).toBe(step.host)
          expect(play.tasks.length).toBe(step.commands.length + step.verify.length)
          const argvs = play.tasks.map((t) => t['ansible.builtin.command'].argv)
          if (step.action.kind !== 'migrate') expect(argvs).toEqual([...step.commands, ...step.verify].map((c) => c.argv))
          else expect(argvs[0]).toContain('qemu+ssh://admin@h2.lab:2222/system')
        })
      }),
      { numRuns: 100 },
    )
  })

  it('reaches a host added as a libvirt URI with ssh(1)\'s own destination and port', () => {
    const plan = planFor(['web', 'idle'])
    const script = planToShell(plan, () => 'qemu+ssh://admin@kvm1.lab:2222/system')
    expect(script).toContain('ssh -o BatchMode=yes -p 2222 admin@kvm1.lab -- ')
    expect(script).not.toContain('qemu+ssh://')
    expect(planToAnsible(plan, () => 'qemu+ssh://admin@kvm1.lab:2222/system')).toContain('#   h1 ansible_host=kvm1.lab ansible_user=admin ansible_port=2222')
  })
})

describe('CSV exports are data for spreadsheets too', () => {
  it('neutralises formulas in every text cell and keeps numbers as numbers', () => {
    expect(['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual([
      `"'=HYPERLINK(""http://x"",""y"")"`,
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tx",
      `"'\rx"`,
    ])
    expect([-5, 0, 1.5, null, undefined, 'plain', 'a,b', '#web'].map(csvCell)).toEqual(['-5', '0', '1.5', '', '', 'plain', '"a,b"', '"#web"'])
  })

  it('the audit log CSV holds host output and VM names as text', () => {
    const csv = auditToCsv([{ id: 1, t: T0, actor: 'ann', kind: 'command', host: 'h1', argv: ['virsh', 'list'], exitCode: 0, message: '=cmd|"/c calc"!A1', output: '@SUM(1+1)\nsecond line' }])
    const [, row] = csv.split('\r\n')
    expect(row).toContain(`"'=cmd|""/c calc""!A1"`)
    expect(row).toContain(`"'@SUM(1+1)\nsecond line"`)
    expect(escapeUnsafe('a\nb')).toBe('a\\u{a}b')
  })
})
