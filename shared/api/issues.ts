import type { z } from 'zod'
import { msg } from '../i18n'
import type { MessageRef } from '../model/message'

/**
 * zod's issues in the admin's words: which field (its path as the file spells it, and which host,
 * VM or request that is) and what it expects instead. A check of VirtPilot's own passes its message
 * as `params.ref` (with a `{field}` value); an issue this cannot word says only that the value is
 * not valid, and the caller shows zod's own line verbatim beside it.
 */

/** Lists whose entries the admin knows by kind and number ("host 2"), by the key that holds them. */
const ITEMS = {
  hosts: 'input.item.hosts',
  vms: 'input.item.vms',
  workload: 'input.item.workload',
  arrivals: 'input.item.arrivals',
  arrivalStreams: 'input.item.arrivalStreams',
  edits: 'input.item.edits',
  affinity: 'input.item.affinity',
  antiAffinity: 'input.item.antiAffinity',
} as const

type Path = readonly PropertyKey[]

/** Where a value is: its dotted path, with the first numbered entry named ("hosts.0.cpuCores (host 1)"). */
export function fieldRef(path: Path): MessageRef {
  if (path.length === 0) return msg('input.field.root')
  const dotted = path.map(String).join('.')
  for (let i = 0; i + 1 < path.length; i++) {
    const list = path[i]
    const index = path[i + 1]
    if (typeof index === 'number' && typeof list === 'string' && list in ITEMS) {
      return msg('input.field.at', { path: dotted, where: { key: ITEMS[list as keyof typeof ITEMS], params: { n: index + 1 } } })
    }
  }
  return msg('input.field.plain', { path: dotted })
}

const TYPES: Record<string, MessageRef> = {
  number: msg('input.type.number'),
  string: msg('input.type.string'),
  boolean: msg('input.type.boolean'),
  array: msg('input.type.array'),
  object: msg('input.type.object'),
  int: msg('input.type.integer'),
}

const shown = (value: unknown): string => (typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? JSON.stringify(value) : String(value))

/** One issue as a message; `input.issue.other` when it is not one this knows how to word. */
export function issueRef(issue: z.core.$ZodIssue): MessageRef {
  const field = fieldRef(issue.path)
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPES[issue.expected] ?? msg('input.type.other', { type: issue.expected })
      // zod reports a value that is not there as the wrong type, received undefined.
      return / received undefined$/.test(issue.message) ? msg('input.issue.missing', { field, expected }) : msg('input.issue.type', { field, expected })
    }
    case 'too_small': {
      const limit = shown(issue.minimum)
      if (issue.origin === 'array' || issue.origin === 'set') return msg('input.issue.fewEntries', { field, limit })
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? msg('input.issue.shortText', { field }) : msg('input.issue.other', { field })
      return issue.inclusive ? msg('input.issue.atLeast', { field, limit }) : msg('input.issue.above', { field, limit })
    }
    case 'too_big': {
      const limit = shown(issue.maximum)
      if (issue.origin === 'array' || issue.origin === 'set') return msg('input.issue.manyEntries', { field, limit })
      if (issue.origin === 'string') return msg('input.issue.longText', { field, limit })
      return issue.inclusive ? msg('input.issue.atMost', { field, limit }) : msg('input.issue.below', { field, limit })
    }
    case 'not_multiple_of':
      return msg('input.issue.multipleOf', { field, divisor: shown(issue.divisor) })
    case 'invalid_value':
      return msg('input.issue.oneOf', { field, items: issue.values.map((v) => msg('engine.verbatim', { text: shown(v) })) })
    case 'unrecognized_keys':
      return msg('input.issue.unknownKeys', { field, keys: issue.keys.map((k) => JSON.stringify(k)).join(', ') })
    case 'invalid_format':
      return msg('input.issue.format', { field, format: issue.format })
    case 'custom': {
      const ref = (issue.params as { ref?: MessageRef } | undefined)?.ref
      return ref ? { key: ref.key, params: { ...ref.params, field } } : msg('input.issue.other', { field })
    }
    default:
      return msg('input.issue.other', { field })
  }
}

/** True when the message only says the value is wrong: zod's own words should be shown beside it. */
export function needsOwnWords(ref: MessageRef): boolean {
  return ref.key === 'input.issue.other'
}
