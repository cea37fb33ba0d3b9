import type { ApiClient } from '../../shared/api/client'
import type { RequestChannel, RequestOf, ResponseOf } from '../../shared/api/contract'
import { historyRequest } from '../stores/cluster-history'

/** One call: its channel and request. */
export type StartupCall = { [C in RequestChannel]: [C, RequestOf<C>] }[RequestChannel]

/**
 * The calls a start makes for the page it opens on: the shell's (settings, cluster, hosts,
 * credentials) and, on the Overview, its summary, recommendations and metrics source.
 */
export function startupCalls(hash: string, now: number): StartupCall[] {
  const calls: StartupCall[] = [
    ['settings.get', {}],
    ['cluster.snapshot', {}],
    ['cluster.history', historyRequest(now)],
    ['app.info', {}],
    ['hosts.list', {}],
    ['credentials.pending', {}],
  ]
  const path = hash.replace(/^#/, '').split('?')[0]
  // '/' and '' redirect to the Overview.
  if (path === '' || path === '/' || path === '/overview') calls.push(['dashboard.overview', {}], ['recommendations.list', {}], ['metrics.status', {}])
  return calls
}

const answers = new Map<RequestChannel, Promise<unknown>>()
let open = true

/**
 * Sends the start-up calls at once: main.ts does so as soon as the page runs, while the app's
 * code still loads and compiles, so the answers wait for the stores instead of the stores for
 * the answers.
 */
export function sendStartupCalls(client: ApiClient, calls: StartupCall[]): void {
  for (const [channel, req] of calls) {
    const answer = client.invoke(channel, req as never)
    // A failure is the taker's to report; one nobody takes is not an unhandled rejection.
    answer.catch(() => undefined)
    answers.set(channel, answer)
  }
}

/** The start-up answer for `channel`, without taking it (undefined if none was sent). */
export function peekStartupAnswer<C extends RequestChannel>(channel: C): Promise<ResponseOf<C>> | undefined {
  return answers.get(channel) as Promise<ResponseOf<C>> | undefined
}

/**
 * The start-up answer for the first call of `channel`, taken once; undefined when none was sent
 * or start-up is over (later calls ask again, for current data).
 */
export function takeStartupAnswer<C extends RequestChannel>(channel: C): Promise<ResponseOf<C>> | undefined {
  if (!open) return undefined
  const answer = answers.get(channel)
  answers.delete(channel)
  return answer as Promise<ResponseOf<C>> | undefined
}

/** The app has mounted and made its first calls: answers nobody took are dropped. */
export function endStartup(): void {
  open = false
  answers.clear()
}
