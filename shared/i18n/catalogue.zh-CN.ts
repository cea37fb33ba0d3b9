import { accessZhCN } from './access.zh-CN'
import { applyZhCN } from './apply.zh-CN'
import { automationZhCN } from './automation.zh-CN'
import { cliZhCN } from './cli.zh-CN'
import { engineZhCN } from './engine.zh-CN'
import { hostOutputZhCN } from './host-output.zh-CN'
import { inputZhCN } from './input.zh-CN'
import { placementZhCN } from './placement.zh-CN'
import { ruleChangesZhCN } from './rule-changes.zh-CN'
import { serverZhCN } from './server.zh-CN'
import { storageZhCN } from './storage.zh-CN'
import { storeZhCN } from './store.zh-CN'
import { tuningZhCN } from './tuning.zh-CN'
import type { sharedEn } from './catalogue.en'
import type { Catalogue } from './types'

/** The shared messages in Chinese (simplified): sharedEn's keys. */
export const sharedZhCN: Catalogue<typeof sharedEn> = { engine: engineZhCN, placement: placementZhCN, apply: applyZhCN, metricStore: storeZhCN, input: inputZhCN, server: serverZhCN, cli: cliZhCN, automation: automationZhCN, ruleChanges: ruleChangesZhCN, access: accessZhCN, storage: storageZhCN, tuning: tuningZhCN, hostOutput: hostOutputZhCN }
