import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { MetricsSource, MetricsSourceStatus } from '../../shared/model'
import { api } from '../api'
import { useSettingsStore } from './settings'

/** What the admin types in Settings → Metrics source. */
export interface SourceForm {
  kind: 'ssh' | 'prometheus'
  url: string
  bearerTokenFile: string
  basicAuthFile: string
  caFile: string
  tenant: string
  /** The label that tells Proxmox VE clusters apart (empty: `job`). */
  clusterLabel: string
  /** One `store name = VirtPilot host` per line. */
  hostMap: string
}

/** The host-names text as a mapping, and the lines that are not `name = host`. */
export function parseHostMap(text: string): { map: Record<string, string>; bad: string[] } {
  const map: Record<string, string> = {}
  const bad: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    const eq = line.indexOf('=')
    const from = eq > 0 ? line.slice(0, eq).trim() : ''
    const to = eq > 0 ? line.slice(eq + 1).trim() : ''
    if (from === '' || to === '') bad.push(line)
    else map[from] = to
  }
  return { map, bad }
}

export function formOf(source: MetricsSource): SourceForm {
  if (source.kind === 'ssh') return { kind: 'ssh', url: '', bearerTokenFile: '', basicAuthFile: '', caFile: '', tenant: '', clusterLabel: '', hostMap: '' }
  return {
    kind: 'prometheus',
    url: source.url,
    bearerTokenFile: source.bearerTokenFile ?? '',
    basicAuthFile: source.basicAuthFile ?? '',
    caFile: source.caFile ?? '',
    tenant: source.tenant ?? '',
    clusterLabel: source.clusterLabel ?? '',
    hostMap: Object.entries(source.hostMap ?? {})
      .map(([from, to]) => `${from} = ${to}`)
      .join('\n'),
  }
}

/** The form as a source, or the host-names lines that cannot be read. */
export function sourceOf(form: SourceForm): { source: MetricsSource } | { badLines: string[] } {
  if (form.kind === 'ssh') return { source: { kind: 'ssh' } }
  const { map, bad } = parseHostMap(form.hostMap)
  if (bad.length > 0) return { badLines: bad }
  const text = (v: string) => (v.trim() === '' ? undefined : v.trim())
  const optional = { bearerTokenFile: text(form.bearerTokenFile), basicAuthFile: text(form.basicAuthFile), caFile: text(form.caFile), tenant: text(form.tenant), clusterLabel: text(form.clusterLabel) }
  return {
    source: {
      kind: 'prometheus',
      url: form.url.trim(),
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      ...(Object.keys(map).length > 0 ? { hostMap: map } : {}),
    },
  }
}

/** The label-mismatch headline's parameters: each side's names as one list. */
export function mismatchParams(m: NonNullable<MetricsSourceStatus['labelMismatch']>): { store: string; ssh: string; example: string } {
  return { store: m.storeHosts.join(', '), ssh: m.sshHosts.join(', '), example: m.example }
}

/** The metrics source's live status (hosts served, what to fix) and saving a new source. */
export const useMetricsSourceStore = defineStore('metricsSource', () => {
  const status = ref<MetricsSourceStatus | null>(null)
  const error = ref<string | null>(null)
  /** Why the last save was refused: main's failure, or the host-names lines that do not parse (a message of the Settings page). */
  const failure = ref<unknown>(null)

  async function load(): Promise<void> {
    try {
      status.value = await api.invoke('metrics.status', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  /** Saves through the settings (main checks the address and files first); false with `error` set when refused. */
  async function save(form: SourceForm): Promise<boolean> {
    const parsed = sourceOf(form)
    if ('badLines' in parsed) {
      const lines = parsed.badLines.join('; ')
      error.value = `host names: write one "store name = host" per line (not: ${lines})`
      failure.value = Object.assign(new Error(error.value), { messageRef: { key: 'settings.metrics.badHostLines', params: { lines } } })
      return false
    }
    const settings = useSettingsStore()
    const ok = await settings.update({ metricsSource: parsed.source })
    await load()
    error.value = ok ? null : (settings.error?.message ?? null)
    failure.value = ok ? null : settings.failure
    return ok
  }

  return { status, error, failure, load, save }
})
