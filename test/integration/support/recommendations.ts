import type { Recommendation, ReversibleAction } from '../../../shared/model'

/** A recommendation as the engine would make it (the engine's choices are tested elsewhere). */
export function recommendation(id: string, title: string, actions: ReversibleAction[]): Recommendation {
  const first = actions[0]!.action
  return {
    id,
    kind: first.kind === 'migrate' ? 'migrate' : 'rightsize-cpu',
    target: { type: 'vm', id: 'vm' in first ? first.vm : 'x' },
    priority: 3,
    title,
    rationale: 'integration test',
    predicted: [],
    risk: 'low',
    riskNote: '',
    needsRestart: false,
    confidence: 'normal',
    actions,
  }
}
