import { accessEn } from './access.en'
import { applyEn } from './apply.en'
import { automationEn } from './automation.en'
import { cliEn } from './cli.en'
import { engineEn } from './engine.en'
import { hostOutputEn } from './host-output.en'
import { inputEn } from './input.en'
import { placementEn } from './placement.en'
import { ruleChangesEn } from './rule-changes.en'
import { serverEn } from './server.en'
import { storageEn } from './storage.en'
import { storeEn } from './store.en'
import { tuningEn } from './tuning.en'

/**
 * The messages main, the engine and the CLI produce, by top-level namespace, in English. The
 * renderer merges these into its own catalogue (src-renderer/i18n), so one text serves the app,
 * the CLI and exports. One module per language: the renderer loads only the one it shows.
 */
export const sharedEn = { engine: engineEn, placement: placementEn, apply: applyEn, metricStore: storeEn, input: inputEn, server: serverEn, cli: cliEn, automation: automationEn, ruleChanges: ruleChangesEn, access: accessEn, storage: storageEn, tuning: tuningEn, hostOutput: hostOutputEn } as const
