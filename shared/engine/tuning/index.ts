import { msg, said, sentences } from '../../i18n'
import type { Recommendation } from '../../model/recommendation'
import { balloonRule } from './balloon'
import { diskCacheIoRule } from './disk-cache-io'
import { governorRule } from './governor'
import { haltPollRule } from './halt-poll'
import { hugepagesRule } from './hugepages'
import { iothreadsRule } from './iothreads'
import { ksmRule } from './ksm'
import { numaPinningRule } from './numa-pinning'
import { overcommitRule } from './overcommit'
import { diskNearlyFullRule } from './disk-nearly-full'
import { poolCapacityRule } from './pool-capacity'
import { poolLatencyRule } from './pool-latency'
import { poolOvercommitRule } from './pool-overcommit'
import { thinVolumesRule } from './thin-volumes'
import { defaultTuningOptions, type TuningAdvice, type TuningInput, type TuningOptions, type TuningRule, type TuningUsage } from './rule'
import { vhostNetRule } from './vhost-net'
import { virtioDiskRule } from './virtio-disk'
import { virtioNicRule } from './virtio-nic'

export * from './rule'
export { measuredWindow, type MeasuredWindow } from './measured'

/** Every tuning rule, host rules first. */
export const tuningRules: readonly TuningRule[] = [
  overcommitRule,
  ksmRule,
  hugepagesRule,
  governorRule,
  haltPollRule,
  numaPinningRule,
  virtioDiskRule,
  virtioNicRule,
  vhostNetRule,
  diskCacheIoRule,
  iothreadsRule,
  balloonRule,
  poolCapacityRule,
  poolOvercommitRule,
  thinVolumesRule,
  poolLatencyRule,
  diskNearlyFullRule,
]

/** Runs every rule on the facts; advice comes out in rule order, then target order. */
export function tuningAdvice(
  input: { facts: TuningInput['facts']; usage?: TuningUsage; options?: Partial<TuningOptions> },
  rules: readonly TuningRule[] = tuningRules,
): TuningAdvice[] {
  const full: TuningInput = {
    facts: input.facts,
    usage: input.usage ?? { hosts: {}, vms: {} },
    options: { ...defaultTuningOptions, ...input.options },
  }
  return rules.flatMap((r) => r.evaluate(full))
}

/** The admin-facing record; the evidence is already in the rationale and kept in `tuning`. */
export function tuningRecommendation(a: TuningAdvice, id: string): Recommendation {
  return {
    id,
    kind: 'tuning',
    target: a.target,
    priority: a.priority,
    title: a.title,
    ...(a.titleRef ? { titleRef: a.titleRef } : {}),
    ...(a.rationaleRef && a.effectRef
      ? said({ rationale: sentences(a.rationaleRef, msg('engine.tuning.expected', { effect: a.effectRef })) })
      : { rationale: `${a.rationale} Expected: ${a.effect}` }),
    predicted: a.predicted,
    risk: a.risk,
    riskNote: a.riskNote,
    ...(a.riskNoteRef ? { riskNoteRef: a.riskNoteRef } : {}),
    needsRestart: a.needsRestart,
    confidence: a.confidence,
    actions: a.actions,
  }
}
