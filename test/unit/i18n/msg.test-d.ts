import { expectTypeOf, test } from 'vitest'
import { msg, type MessageKey, type MessageParam, type MessageParams } from '../../../shared/i18n'

test('a message reference names a key of the catalogue and every value its text needs', () => {
  expectTypeOf<'engine.move.title'>().toMatchTypeOf<MessageKey>()
  expectTypeOf<MessageParams<'engine.move.title'>>().toEqualTypeOf<{ vm: MessageParam; from: MessageParam; to: MessageParam } & { count?: number }>()
  expectTypeOf<MessageParams<'engine.rebalance.title'>['count']>().toEqualTypeOf<number>()
  // @ts-expect-error an unknown key
  msg('engine.move.nope', {})
  // @ts-expect-error a missing value
  msg('engine.move.title', { vm: 'web1', from: 'kvm1' })
  // @ts-expect-error count must be a number
  msg('engine.rebalance.title', { count: '2' })
  msg('engine.figure.vcpus')
})
