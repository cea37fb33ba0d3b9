import { useI18n } from 'vue-i18n'
import type { MessageRef, PredictedFigure, Recommendation } from '../../shared/model'

/**
 * Engine text in the admin's language: where the engine sent a message key (MessageRef) and the
 * renderer knows it, the translation (plural forms by its `count`); else the engine's English.
 */
export function useEngineText() {
  const { t, te } = useI18n()
  function say(ref: MessageRef | undefined, english: string): string {
    if (!ref || !te(ref.key)) return english
    const count = ref.params.count
    return typeof count === 'number' ? t(ref.key, ref.params, count) : t(ref.key, ref.params)
  }
  return {
    say,
    title: (r: Pick<Recommendation, 'title' | 'titleRef'>) => say(r.titleRef, r.title),
    rationale: (r: Recommendation) => say(r.rationaleRef, r.rationale),
    label: (f: PredictedFigure) => say(f.labelRef, f.label),
  }
}

export type EngineText = ReturnType<typeof useEngineText>
