import { useI18n } from 'vue-i18n'
import { resolveParams } from '../../shared/i18n/format'
import type { Language, MessageRef, PredictedFigure, Recommendation } from '../../shared/model'

/**
 * Engine text in the admin's language: where the engine sent a message key (MessageRef) and the
 * renderer knows it, the translation (plural forms by its `count`, nested messages said in the
 * same language); else the engine's English.
 */
export function useEngineText() {
  const { t, te, locale } = useI18n()
  function sayRef(ref: MessageRef): string {
    const params = resolveParams(ref.params, sayRef, locale.value as Language)
    const count = params.count
    return typeof count === 'number' ? t(ref.key, params, count) : t(ref.key, params)
  }
  function say(ref: MessageRef | undefined, english: string): string {
    return ref && te(ref.key) ? sayRef(ref) : english
  }
  return {
    say,
    title: (r: Pick<Recommendation, 'title' | 'titleRef'>) => say(r.titleRef, r.title),
    rationale: (r: Recommendation) => say(r.rationaleRef, r.rationale),
    label: (f: PredictedFigure) => say(f.labelRef, f.label),
    /** A failed call's reason: VirtPilot's own words in the admin's language, else the message as it came. */
    error: (e: unknown) => say((e as { messageRef?: MessageRef }).messageRef, (e as Error).message),
  }
}

export type EngineText = ReturnType<typeof useEngineText>
