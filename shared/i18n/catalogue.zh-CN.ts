import { applyZhCN } from './apply.zh-CN'
import { engineZhCN } from './engine.zh-CN'
import { placementZhCN } from './placement.zh-CN'
import type { sharedEn } from './catalogue.en'
import type { Catalogue } from './types'

/** The shared messages in Chinese (simplified): sharedEn's keys. */
export const sharedZhCN: Catalogue<typeof sharedEn> = { engine: engineZhCN, placement: placementZhCN, apply: applyZhCN }
