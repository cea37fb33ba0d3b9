import { msg } from '../../shared/i18n'
import type { Plan, StepState } from '../../shared/model'
import type { MessageRef } from '../../shared/model'
import { stateKey } from '../services/plans'
import { tell } from './language'

/** A step's state as a message (a step the plan does not have: unknown). */
export function stepState(state: StepState | undefined): MessageRef | string {
  return state ? msg(`apply.stepState.${state}`) : '?'
}

/** The plan's state and each step's, one line for stderr in the CLI's language: "[running] step-1 done | step-2 running 40%". */
export function progressText(p: Plan): string {
  const bars = p.steps.map((s) =>
    msg('cli.progress.step', {
      step: s.id,
      state: stepState(s.state),
      percent: s.progress !== undefined && s.state === 'running' ? msg('cli.progress.percent', { percent: Math.round(s.progress * 100) }) : '',
    }),
  )
  return tell(msg('cli.progress.line', { state: msg(`apply.planState.${stateKey(p.state)}`), bars }))
}
