import type { History } from '../model/history'

export type { History, PastMigration, VmUsageSeries } from '../model/history'

export const emptyHistory: History = { vms: {} }
