import { applyEn } from './apply.en'
import { engineEn } from './engine.en'
import { placementEn } from './placement.en'

/**
 * The messages main, the engine and the CLI produce, by top-level namespace, in English. The
 * renderer merges these into its own catalogue (src-renderer/i18n), so one text serves the app,
 * the CLI and exports. One module per language: the renderer loads only the one it shows.
 */
export const sharedEn = { engine: engineEn, placement: placementEn, apply: applyEn } as const
