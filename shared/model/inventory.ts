import type { Host } from './host'
import type { Vm } from './vm'

/** What discovery found: a demo source covers several hosts, a real host covers one. */
export interface Inventory {
  hosts: Host[]
  vms: Vm[]
  /** VM id -> the id an earlier version gave the same VM: its stored history moves to the new id once. */
  formerIds?: Record<string, string>
}
