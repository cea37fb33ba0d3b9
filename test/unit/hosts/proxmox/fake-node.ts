import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StatsSession } from '../../../../src-main/hosts/linux/stats-session'
import { LocalHost } from '../local-session'

/**
 * A stand-in for a Proxmox VE node on this machine, which has no Proxmox: FAKE `pvesh` and
 * `pveversion` executables that print the real fixture JSON, an /etc/pve-like folder and a
 * /var/run/qemu-server-like pid folder. Everything else the scripts read (/proc, /sys, lscpu,
 * kvm --version, uname) is this machine's own. The scripts' PATH puts the system folders first,
 * which is fine: no real pvesh exists here to shadow the fake.
 */
export interface FakeNode {
  dir: string
  env: NodeJS.ProcessEnv
  /** Sets what the fake `pvesh get /cluster/resources --type vm --output-format json` prints. */
  setClusterResources(json: string): void
  /** Sets what the fake pvesh prints for one exact command line (`get /nodes/localhost/storage --output-format json`). */
  setAnswer(args: string, text: string): void
  /** Makes the fake pvesh fail with this message on stderr, as the real one does when it may not run. */
  failPvesh(stderr: string): void
  writeConfig(fileName: string, text: string): void
  writeStorageCfg(text: string): void
  /** A file of the /etc/pve stand-in (`.members`, `pve-root-ca.pem`). */
  writeEtc(fileName: string, text: string): void
  writePidFile(fileName: string, content: string): void
  cleanup(): void
}

export const FAKE_PVEVERSION = 'pve-manager/8.1.4/ec5affc9e41f1d79 (running kernel: 6.5.11-8-pve)'

export function makeFakeNode(): FakeNode {
  const dir = mkdtempSync(join(tmpdir(), 'virtpilot-fake-pve-'))
  for (const d of ['bin', 'etc/qemu-server', 'run']) mkdirSync(join(dir, d), { recursive: true })
  mkdirSync(join(dir, 'answers'))
  // One file per command line the fake answers, named by its arguments with / and spaces as _.
  const answer = (args: string) => join(dir, 'answers', args.replaceAll('/', '_').replaceAll(' ', '_'))
  const resources = answer('get /cluster/resources --type vm --output-format json')
  writeFileSync(resources, '[]')
  const exe = (name: string, body: string) => {
    writeFileSync(join(dir, 'bin', name), `#!/bin/sh\n# FAKE ${name} for tests: there is no Proxmox VE on this machine.\n${body}`)
    chmodSync(join(dir, 'bin', name), 0o755)
  }
  exe('pvesh', `f='${join(dir, 'answers')}'/$(echo "$*" | tr '/ ' '__')\nif [ -f "$f" ]; then cat "$f"; exit 0; fi\necho "fake pvesh: no answer for: $*" >&2\nexit 2\n`)
  exe('pveversion', `echo '${FAKE_PVEVERSION}'\n`)
  return {
    dir,
    env: {
      ...process.env,
      PATH: `${process.env.PATH}:${join(dir, 'bin')}`,
      VIRTPILOT_PVE_ETC: join(dir, 'etc'),
      VIRTPILOT_PVE_RUN_DIR: join(dir, 'run'),
    },
    setClusterResources: (json) => writeFileSync(resources, json),
    setAnswer: (args, text) => writeFileSync(answer(args), text),
    failPvesh: (stderr) => exe('pvesh', `echo '${stderr}' >&2\nexit 255\n`),
    writeConfig: (name, text) => writeFileSync(join(dir, 'etc/qemu-server', name), text),
    writeStorageCfg: (text) => writeFileSync(join(dir, 'etc/storage.cfg'), text),
    writeEtc: (name, text) => writeFileSync(join(dir, 'etc', name), text),
    writePidFile: (name, content) => writeFileSync(join(dir, 'run', name), content),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Runs a host script the way the SSH layer does (`sh -c SCRIPT`), here. */
export function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = performance.now()
  return new Promise((resolve, reject) =>
    execFile('/bin/sh', ['-c', script], { env, encoding: 'utf8', timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(error) : resolve({ stdout, stderr, ms: performance.now() - started }),
    ),
  )
}

/** CPU time a process has used so far (utime + stime, in clock ticks), from /proc/PID/stat. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/**
 * Polls a resident stats session script `polls` times as a local process (a FAKE transport in
 * place of the SSH channel; the script is real) and returns each decoded answer.
 */
export async function pollStatsSession(script: string, request: (nonce: string) => string, env: NodeJS.ProcessEnv, polls = 1): Promise<string[]> {
  const session = new StatsSession(new LocalHost(env), script)
  try {
    const answers: string[] = []
    for (let i = 0; i < polls; i++) answers.push(await session.read(request, 30_000))
    return answers
  } finally {
    session.close()
  }
}

/**
 * A real process standing in for a guest's QEMU: a Node process whose worker threads name
 * themselves `CPU 0/KVM`, `CPU 1/KVM`, ... (as QEMU names its vCPU threads with debug-threads=on);
 * vCPU 0 burns CPU at about `duty` of one core, the others and the main thread idle. So
 * /proc/PID/stat and each task's schedstat are read for real. It runs `ms` (or until stopped),
 * and is returned once every vCPU thread is named and the busy one has used some CPU: on a busy
 * machine that may take seconds, so it is a condition, not a sleep.
 */
export async function spawnBusyGuest(opts: { ms: number; duty: number; vcpus?: number }): Promise<{ pid: number; child: ChildProcess; stop: () => void }> {
  const vcpus = opts.vcpus ?? 1
  const worker = `
    const { workerData } = require('node:worker_threads');
    require('node:fs').writeFileSync('/proc/thread-self/comm', 'CPU ' + workerData + '/KVM');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const end = Date.now() + ${opts.ms};
    while (Date.now() < end) {
      if (workerData !== 0) { Atomics.wait(pause, 0, 0, 100); continue; }
      const burst = Date.now() + ${Math.round(opts.duty * 20)};
      while (Date.now() < burst) {}
      Atomics.wait(pause, 0, 0, ${Math.round((1 - opts.duty) * 20)});
    }`
  const main = `const { Worker } = require('node:worker_threads');
    let left = ${vcpus};
    for (let i = 0; i < ${vcpus}; i++) new Worker(${JSON.stringify(worker)}, { eval: true, workerData: i }).on('exit', () => { if (--left === 0) process.exit(0) });`
  const child = spawn(process.execPath, ['-e', main], { stdio: 'ignore' })
  const pid = child.pid
  if (pid === undefined) throw new Error('could not start the stand-in guest process')
  const ticksAtStart = cpuTicks(pid)
  // Until every worker has renamed itself and the burner ran, so the first read already sees them.
  const hang = Date.now() + 120_000
  while (Date.now() < hang && child.exitCode === null) {
    const named = readdirSync(`/proc/${pid}/task`).filter((tid) => {
      try {
        return /^CPU \d+\/KVM$/.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())
      } catch {
        return false
      }
    })
    if (named.length === vcpus && cpuTicks(pid) > ticksAtStart) return { pid, child, stop: () => child.kill() }
    await new Promise((r) => setTimeout(r, 10))
  }
  child.kill()
  throw new Error(`the stand-in guest never named its vCPU threads or never ran (exit ${child.exitCode})`)
}

/** A framed script output with one section's body (and exit status) replaced. */
export function replaceSection(text: string, name: string, body: string, rc = 0): string {
  const lines = text.split('\n')
  const nonce = /^@@VP (\S+) START/.exec(lines[0]!)![1]
  const begin = lines.indexOf(`@@VP ${nonce} BEGIN ${name}`)
  const end = lines.findIndex((l, i) => i > begin && l.startsWith(`@@VP ${nonce} END ${name} `))
  if (begin < 0 || end < 0) throw new Error(`no section ${name}`)
  return [...lines.slice(0, begin + 1), body, '', `@@VP ${nonce} END ${name} ${rc}`, ...lines.slice(end + 1)].join('\n')
}
