import type { Language } from '../model/settings'
import { applyEn } from './apply.en'
import { applyZhCN } from './apply.zh-CN'
import { automationEn } from './automation.en'
import { automationZhCN } from './automation.zh-CN'
import { cliEn } from './cli.en'
import { cliZhCN } from './cli.zh-CN'
import { engineEn } from './engine.en'
import { engineZhCN } from './engine.zh-CN'
import { inputEn } from './input.en'
import { inputZhCN } from './input.zh-CN'
import { placementEn } from './placement.en'
import { placementZhCN } from './placement.zh-CN'
import { storeEn } from './store.en'
import { storeZhCN } from './store.zh-CN'
import { serverEn } from './server.en'
import { serverZhCN } from './server.zh-CN'
import type { At, Catalogue, Leaves, ParamsFor, Placeholders } from './types'

/**
 * The messages main, the engine and the CLI produce, by top-level namespace. The renderer merges
 * these into its own catalogues (src-renderer/i18n), so one text serves the app, the CLI and exports.
 */
const sourceEn = { engine: engineEn, placement: placementEn, apply: applyEn, metricStore: storeEn, input: inputEn, server: serverEn, cli: cliEn, automation: automationEn } as const

export type SharedMessages = Catalogue<typeof sourceEn>

export const sharedMessages: Record<Language, SharedMessages> = {
  en: sourceEn,
  'zh-CN': { engine: engineZhCN, placement: placementZhCN, apply: applyZhCN, metricStore: storeZhCN, input: inputZhCN, server: serverZhCN, cli: cliZhCN, automation: automationZhCN },
}

/** A key some shared catalogue holds, and the values its English text needs. */
export type MessageKey = Leaves<typeof sourceEn>
export type MessageParams<K extends MessageKey> = ParamsFor<At<typeof sourceEn, K>>
/** True when the text of K has no placeholder (its values may be left out). */
export type NeedsNoParams<K extends MessageKey> = [Placeholders<At<typeof sourceEn, K>>] extends [never] ? true : false
