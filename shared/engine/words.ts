import { english } from '../i18n'
import type { MessageRef, PredictedFigure } from '../model/recommendation'

/**
 * What the engine says, as message references with their English beside them: `said({ title, riskNote })`
 * gives `{ title, titleRef, riskNote, riskNoteRef }` (the English for the CLI, exports and the audit log).
 */
export function said<T extends Record<string, MessageRef>>(refs: T): { [K in keyof T & string]: string } & { [K in keyof T & string as `${K}Ref`]: MessageRef } {
  const out: Record<string, string | MessageRef> = {}
  for (const [name, ref] of Object.entries(refs)) {
    out[name] = english(ref)
    out[`${name}Ref`] = ref
  }
  return out as { [K in keyof T & string]: string } & { [K in keyof T & string as `${K}Ref`]: MessageRef }
}

/** A predicted figure whose label is a message. */
export function figure(labelRef: MessageRef, unit: string, before: number, after: number): PredictedFigure {
  return { label: english(labelRef), labelRef, unit, before, after }
}
