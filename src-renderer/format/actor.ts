import { useI18n } from 'vue-i18n'
import { AUTOMATION_ACTOR, isAutomaticActor } from '../../shared/model/automation'

/**
 * Who did something, in the admin's language: a person as recorded ("alice (serve)"), automation
 * as its level and rule ("automation: fully-automated/threshold-3" -> "automation: Fully automated, migration threshold 3").
 */
export function useActorText() {
  const { t, te } = useI18n()
  return (actor: string | undefined): string => {
    if (!actor || !isAutomaticActor(actor)) return actor ?? ''
    const [level = '', rule = ''] = actor.slice(AUTOMATION_ACTOR.length).split('/')
    const threshold = /^threshold-(\d)$/.exec(rule)?.[1]
    const levelText = te(`automation.levels.${level}`) ? t(`automation.levels.${level}`) : level
    const ruleText = rule === 'P1-fix' ? t('automationSettings.rules.p1') : threshold ? t('automationSettings.rules.threshold', { threshold }) : rule
    return t('automationSettings.actor', { level: levelText, rule: ruleText })
  }
}
