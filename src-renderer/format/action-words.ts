import type { Action } from '../../shared/model'
import type { Translate, Units } from './units'

/** Names as the admin knows them, looked up from the inventory. */
export interface Names {
  vm(id: string): string
  host(id: string): string
}

/** How a rollback undoes its action, in words that say so ("Restore the memory of web1 on kvm1 to 20 GiB"). */
export function describeRollback(rollback: Action, t: Translate, names: Names, units: Units): string {
  const p = 'recommendations.undo.'
  const mode = (live: boolean) => t(live ? 'recommendations.action.live' : 'recommendations.action.nextRestart', {})
  switch (rollback.kind) {
    case 'setVcpus':
      return t(`${p}setVcpus`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), count: rollback.count, mode: mode(rollback.live) })
    case 'setMaxVcpus':
      return t(`${p}setMaxVcpus`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), count: rollback.count })
    case 'setMemory':
      return t(`${p}setMemory`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), memory: units.memory(rollback.memoryMiB), mode: mode(rollback.live) })
    case 'setMaxMemory':
      return t(`${p}setMaxMemory`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), memory: units.memory(rollback.memoryMiB) })
    case 'setCpuShares':
      return t(`${p}setCpuShares`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), shares: rollback.shares })
    case 'migrate':
      return t(`${p}migrate`, { vm: names.vm(rollback.vm), from: names.host(rollback.from), to: names.host(rollback.to) })
    case 'setHostTuning':
      return t(`${p}setHostTuning`, { host: names.host(rollback.host), setting: rollback.setting, value: rollback.value })
    case 'setVmDevice':
      return rollback.device
        ? t(`${p}setVmDeviceOn`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), setting: rollback.setting, device: rollback.device, value: rollback.value })
        : t(`${p}setVmDevice`, { vm: names.vm(rollback.vm), host: names.host(rollback.host), setting: rollback.setting, value: rollback.value })
  }
}

/** An action in plain words ("Live-migrate web1 from kvm1 to kvm2"), translated. */
export function describeAction(action: Action, t: Translate, names: Names, units: Units): string {
  const p = 'recommendations.action.'
  const mode = (live: boolean) => t(live ? `${p}live` : `${p}nextRestart`, {})
  switch (action.kind) {
    case 'setVcpus':
      return t(`${p}setVcpus`, { vm: names.vm(action.vm), host: names.host(action.host), count: action.count, mode: mode(action.live) })
    case 'setMaxVcpus':
      return t(`${p}setMaxVcpus`, { vm: names.vm(action.vm), host: names.host(action.host), count: action.count })
    case 'setMemory':
      return t(`${p}setMemory`, { vm: names.vm(action.vm), host: names.host(action.host), memory: units.memory(action.memoryMiB), mode: mode(action.live) })
    case 'setMaxMemory':
      return t(`${p}setMaxMemory`, { vm: names.vm(action.vm), host: names.host(action.host), memory: units.memory(action.memoryMiB) })
    case 'setCpuShares':
      return t(`${p}setCpuShares`, { vm: names.vm(action.vm), host: names.host(action.host), shares: action.shares })
    case 'migrate':
      return t(action.live ? `${p}migrate` : `${p}migrateOffline`, { vm: names.vm(action.vm), from: names.host(action.from), to: names.host(action.to) })
    case 'setHostTuning':
      return t(`${p}setHostTuning`, { host: names.host(action.host), setting: action.setting, value: action.value })
    case 'setVmDevice':
      return action.device
        ? t(`${p}setVmDeviceOn`, { vm: names.vm(action.vm), host: names.host(action.host), setting: action.setting, device: action.device, value: action.value })
        : t(`${p}setVmDevice`, { vm: names.vm(action.vm), host: names.host(action.host), setting: action.setting, value: action.value })
  }
}
