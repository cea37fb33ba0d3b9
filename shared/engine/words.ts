import { english } from '../i18n'
import type { MessageRef, PredictedFigure } from '../model/recommendation'

/** A predicted figure whose label is a message. */
export function figure(labelRef: MessageRef, unit: string, before: number, after: number): PredictedFigure {
  return { label: english(labelRef), labelRef, unit, before, after }
}
