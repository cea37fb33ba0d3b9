import { z } from 'zod'
import { AllocationRatioSchema } from '../model/host'
import { MessageRefSchema } from './message'

export const LanguageSchema = z.enum(['en', 'zh-CN'])
export const ThemeSchema = z.enum(['light', 'dark', 'system'])

/**
 * Where host and VM statistics come from: each host over SSH (the default), or a
 * Prometheus-compatible store (Prometheus, Thanos, Mimir, VictoriaMetrics) for the whole cluster.
 * With a store, SSH stays for discovery details and applying changes on the hosts it reaches.
 */
export const MetricsSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ssh') }),
  z.object({
    kind: z.literal('prometheus'),
    /** `prometheus+http://HOST:PORT[/path]` or `prometheus+https://...`. */
    url: z.string().min(1).max(2000),
    /** Files, not secrets: the token or `user:password` stays where the admin keeps it. */
    bearerTokenFile: z.string().min(1).max(4096).optional(),
    basicAuthFile: z.string().min(1).max(4096).optional(),
    caFile: z.string().min(1).max(4096).optional(),
    /** Mimir/Cortex tenant (X-Scope-OrgID). */
    tenant: z.string().min(1).max(200).optional(),
    /** The store's name for a host (instance, address or nodename) -> the host's name in VirtPilot. */
    hostMap: z.record(z.string().min(1).max(500), z.string().min(1).max(500)).optional(),
    /** The scrape label whose values tell Proxmox VE clusters apart in the store (default `job`): two labs' clusters may share every name. */
    clusterLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/).max(200).optional(),
  }),
])

/** What the metrics source is doing, for Settings → Metrics source and `virtpilot collect`. */
export const MetricsSourceStatusSchema = z.object({
  kind: z.enum(['ssh', 'prometheus']),
  url: z.string().optional(),
  /** The libvirt exporter the store's metric names matched (debian, community, kumina). */
  libvirtExporter: z.string().optional(),
  /** Proxmox's pve-exporter, when the store holds it: its nodes, and the containers (lxc) it lists, which are not managed as VMs. */
  pve: z.object({ nodes: z.number().int().nonnegative(), containers: z.array(z.object({ name: z.string(), node: z.string() })) }).optional(),
  /** Hosts the store knows; of them, read with SSH discovery and apply, and read-only. */
  hosts: z.number().int().nonnegative().optional(),
  viaSsh: z.number().int().nonnegative().optional(),
  readOnly: z.number().int().nonnegative().optional(),
  /** The last read's failure, worded with the fix, and its kind (the UI's headline in the admin's language). */
  error: z.string().optional(),
  /** The error as a message key, when VirtPilot has one (the admin's language). */
  errorRef: MessageRefSchema.optional(),
  errorKind: z.enum(['unreachable', 'auth', 'bad-response', 'query', 'missing-metrics', 'label-mismatch', 'stale', 'other']).optional(),
  /** What the admin should fix though reading goes on (an exporter missing, a label mismatch). */
  problems: z.array(z.string()).optional(),
  /** Each problem's message key where VirtPilot has one (null: English only), in the same order. */
  problemRefs: z.array(MessageRefSchema.nullable()).optional(),
  /**
   * The store's hosts match none of the SSH hosts (by instance label, address or nodename): some
   * names of each side, for the headline that says so and the host-names line to write.
   */
  labelMismatch: z.object({ sshHosts: z.array(z.string()), storeHosts: z.array(z.string()), example: z.string() }).optional(),
  /** Requests and bytes the store has answered so far. */
  requests: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative().optional(),
  lastPollAt: z.number().optional(),
})

/** Preferences kept in the store, shared by the desktop app and serve mode. */
export const SettingsSchema = z.object({
  language: LanguageSchema,
  theme: ThemeSchema,
  /** Run the embedded demo cluster (the default while no real host is configured). */
  demoEnabled: z.boolean(),
  /**
   * How far hosts may be allocated (vCPUs per logical CPU, guest memory per MiB of RAM): the
   * cluster's ratios, and a host's own where it differs. Every snapshot carries each host's
   * (Host.allocationRatio); no recommendation takes a host above them.
   */
  allocationRatios: z.object({
    cluster: AllocationRatioSchema,
    hosts: z.record(z.string().min(1), AllocationRatioSchema),
  }),
  /** The engine analyses the hosts at start-up and then every this many minutes; 0 = only at start-up and on demand. */
  analysisIntervalMinutes: z.number().int().min(0).max(24 * 60),
  /** DRS's migration threshold for the cluster, 1 (conservative) .. 5 (aggressive): how much gain a balancing move must bring (shared/engine/threshold.ts). */
  migrationThreshold: z.number().int().min(1).max(5),
  metricsSource: MetricsSourceSchema,
})

export { defaultSettings } from './defaults'

export type Language = z.infer<typeof LanguageSchema>
export type Theme = z.infer<typeof ThemeSchema>
export type Settings = z.infer<typeof SettingsSchema>
export type MetricsSource = z.infer<typeof MetricsSourceSchema>
export type MetricsSourceStatus = z.infer<typeof MetricsSourceStatusSchema>
