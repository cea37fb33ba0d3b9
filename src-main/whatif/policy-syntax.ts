import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { PolicySetSchema, type PolicySet } from '../../shared/model/scenario'
import { issueProblems, problem, ScenarioInputError, type InputProblem } from './scenario-file'

/**
 * The CLI's compact policy syntax: comma-separated key=value pairs, e.g.
 * `alloc=hybrid,sched=easy,balance=on,balance.every=120,consolidate=on,headroom=0.25`.
 */
export const POLICY_KEYS: Record<string, string> = {
  name: 'label shown in results',
  alloc: 'static | dynamic | hybrid',
  sched: 'fcfs | sjf | priority | easy',
  aging: 'priority points gained per hour waited (default 1)',
  'max-wait': 'minutes a request may wait before it is rejected',
  'cpu-overcommit': 'vCPUs per logical CPU a host may carry (default 4)',
  'mem-overcommit': 'allocated memory per MiB of RAM (default 1)',
  'disk-overcommit': "hybrid: thin disks' sizes per GiB of a host's storage (default 1.5)",
  balance: 'on | off',
  'balance.every': 'minutes between balancing passes (default 60)',
  'balance.threshold': 'host load 0-1 above which balancing runs (default 0.7)',
  'balance.min-gain': 'imbalance a move must remove (default 0.005)',
  'balance.max-moves': 'optional migrations per pass (default 8)',
  consolidate: 'on | off',
  'consolidate.every': 'minutes between consolidation passes (default 240)',
  headroom: 'share of each kept host left free, 0-0.9 (default 0.2)',
}

export function parsePolicy(text: string): PolicySet {
  const raw: Record<string, unknown> = {}
  const balance: Record<string, unknown> = {}
  const consolidation: Record<string, unknown> = {}
  const problems: InputProblem[] = []
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=')
    if (eq <= 0) {
      problems.push(problem(msg('input.policy.keyValue', { part })))
      continue
    }
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    const num = () => {
      const n = Number(value)
      if (value === '' || !Number.isFinite(n)) problems.push(problem(msg('input.policy.notNumber', { key, value })))
      return n
    }
    const onOff = () => {
      if (value !== 'on' && value !== 'off') problems.push(problem(msg('input.policy.onOff', { key, value })))
      return value === 'on'
    }
    switch (key) {
      case 'name': raw.name = value; break
      case 'alloc': raw.allocation = value; break
      case 'sched': raw.scheduling = value; break
      case 'aging': raw.agingPerHour = num(); break
      case 'max-wait': raw.maxWaitMinutes = num(); break
      case 'cpu-overcommit': raw.cpuOvercommit = num(); break
      case 'mem-overcommit': raw.memOvercommit = num(); break
      case 'disk-overcommit': raw.diskOvercommit = num(); break
      case 'balance': balance.enabled = onOff(); break
      case 'balance.every': balance.intervalMinutes = num(); break
      case 'balance.threshold': balance.thresholdLoad = num(); break
      case 'balance.min-gain': balance.minGain = num(); break
      case 'balance.max-moves': balance.maxMigrations = num(); break
      case 'consolidate': consolidation.enabled = onOff(); break
      case 'consolidate.every': consolidation.intervalMinutes = num(); break
      case 'headroom': consolidation.headroom = num(); break
      default:
        problems.push(problem(msg('input.policy.unknownKey', { key, known: Object.keys(POLICY_KEYS).join(', ') })))
    }
  }
  if (Object.keys(balance).length > 0) raw.balance = balance
  if (Object.keys(consolidation).length > 0) raw.consolidation = consolidation
  if (problems.length > 0) throw new ScenarioInputError(msg('input.policy.invalid', { text }), problems)
  const parsed = PolicySetSchema.safeParse(raw)
  if (!parsed.success) throw new ScenarioInputError(msg('input.policy.invalid', { text }), issueProblems(parsed.error))
  return parsed.data
}

/** A short label for a policy set: its name, or what it sets. */
export function policyLabel(p: PolicySet): string {
  return p.name ?? english(policyLabelRef(p))
}

/** What a policy set without a name sets, as a message ("static · FCFS · balance"). */
export function policyLabelRef(p: PolicySet): MessageRef {
  return msg('engine.whatif.policy', {
    allocation: msg(`engine.whatif.allocation.${p.allocation}`),
    scheduling: msg(`engine.whatif.scheduling.${p.scheduling}`),
    balance: p.balance.enabled ? msg('engine.whatif.withBalance') : '',
    consolidate: p.consolidation.enabled ? msg('engine.whatif.withConsolidation') : '',
  })
}
