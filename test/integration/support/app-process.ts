// VirtPilot as a separate process (the CLI, `virtpilot serve`), so a test can kill it with SIGKILL
// as a crash would, freeze its link to one host, and start it again on the same data file.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import WebSocket from 'ws'
import type { Result } from '../../../shared/api'
import { sessionCookieName } from '../../../src-main/server/auth'
import { cliArgv, repoRoot } from '../../support/built-cli'
import { until } from './services'

/** A running VirtPilot process with its output so far. */
export interface AppProcess {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `virtpilot ARGS` (the built CLI), with VIRTPILOT_SSH_DIR standing in for ~/.ssh. */
export function startCli(args: readonly string[], env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, cliArgv(args), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

/** Runs `virtpilot ARGS` to the end. */
export async function runCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const app = startCli(args, env)
  const { code } = await app.exited
  return { code, stdout: app.stdout(), stderr: app.stderr() }
}

/** The built renderer `serve` needs (npm test builds after the integration tests; .ci/run before). */
export function ensureRendererBuilt(): void {
  if (existsSync(`${repoRoot}out/renderer/index.html`)) return
  execFileSync(process.execPath, [`${repoRoot}node_modules/electron-vite/bin/electron-vite.js`, 'build'], { cwd: repoRoot, stdio: 'ignore', timeout: 600_000 })
}

/** `virtpilot serve` on a free port, and its api over the WebSocket, as the browser reaches it. */
export interface ServeProcess extends AppProcess {
  url: string
  origin: string
  call<T>(channel: string, req: unknown): Promise<T>
}

export async function startServe(dataFile: string, env: Record<string, string>): Promise<ServeProcess> {
  const app = startCli(['serve', '--port', '0', '--data', dataFile], env)
  const url = await until('virtpilot serve to print its URL', () => /VirtPilot is serving at (http:\/\/\S+)/.exec(app.stdout())?.[1] ?? (app.child.exitCode !== null ? failed(app) : undefined), 120_000)
  const parsed = new URL(url)
  const token = parsed.searchParams.get('token')!
  const call = async <T>(channel: string, req: unknown): Promise<T> => {
    const ws = new WebSocket(`ws://${parsed.host}/api`, { headers: { Cookie: `${sessionCookieName(Number(parsed.port), false)}=${token}`, Origin: parsed.origin } })
    try {
      const result = await new Promise<Result<T>>((resolve, reject) => {
        ws.once('error', reject)
        ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, channel, req })))
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; id?: number; result?: Result<T> }
          if (message.type === 'result' && message.id === 1 && message.result) resolve(message.result)
        })
      })
      if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.message}`), { code: result.error.code })
      return result.value
    } finally {
      ws.close()
    }
  }
  return { ...app, url, origin: parsed.origin, call }
}

function failed(app: AppProcess): never {
  throw new Error(`virtpilot exited (${app.child.exitCode}) before serving:\n${app.stderr()}`)
}

/** Every process below `pid`, with its command line. */
export function descendants(pid: number): { pid: number; cmdline: string }[] {
  let children: number[] = []
  try {
    children = execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number)
  } catch {
    // pgrep exits 1 when there are none
  }
  return children.flatMap((child) => {
    let cmdline = ''
    try {
      cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ')
    } catch {
      // gone already
    }
    return [{ pid: child, cmdline }, ...descendants(child)]
  })
}

/**
 * Freezes the app's link to one host (SIGSTOP on the ProxyCommand processes that carry its SSH
 * connection): what VirtPilot sends there waits in the pipe and never reaches the host.
 * Returns a function that kills those processes (they are the app's; a crash orphans them).
 */
export function freezeLinkTo(appPid: number, hostIp: string): () => void {
  const proxies = descendants(appPid).filter((p) => p.cmdline.includes(`TCP:${hostIp}:22`) || p.cmdline.includes(`${hostIp} `))
  if (proxies.length === 0) throw new Error(`no proxy process to ${hostIp} below ${appPid}: ${JSON.stringify(descendants(appPid))}`)
  for (const p of proxies) process.kill(p.pid, 'SIGSTOP')
  return () => {
    for (const p of proxies) {
      try {
        process.kill(p.pid, 'SIGKILL')
      } catch {
        // gone already
      }
    }
  }
}

/** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
export async function killHard(app: AppProcess): Promise<void> {
  app.child.kill('SIGKILL')
  await app.exited
}
