import type { Host } from './host'
import type { Vm } from './vm'

/** What discovery found: a demo source covers several hosts, a real host covers one. */
export interface Inventory {
  hosts: Host[]
  vms: Vm[]
}
