import type { AppInfo, OverviewSummary } from '../../shared/api'
import type { ClusterFacts } from '../../shared/model'
import type { AuditService } from './audit'
import type { AutomationService } from './automation'
import type { Cluster } from './cluster'
import type { CredentialBroker } from './credentials'
import type { EngineService } from './engine'
import type { EventBus } from './events'
import type { HistoryService } from './history'
import type { HostManager } from './host-manager'
import type { Inbox } from './inbox'
import type { MetricsSourceService } from './metrics-source'
import type { PlanService } from './plans'
import type { RulesService } from './rules'
import type { StorageService } from './storage'
import type { PerfKvmService } from './perf-kvm'
import type { Whatif } from './whatif'

/** The application core: one of each service, wired by services.ts, called by the api handlers and the CLI. */
export interface Core {
  info(): AppInfo
  events: EventBus
  cluster: Cluster
  hosts: HostManager
  metrics: MetricsSourceService
  credentials: CredentialBroker
  engine: EngineService
  inbox: Inbox
  plans: PlanService
  audit: AuditService
  history: HistoryService
  overview(): OverviewSummary
  facts(): ClusterFacts[]
  whatif: Whatif
  storage: StorageService
  perfKvm: PerfKvmService
  rules: RulesService
  automation: AutomationService
}
