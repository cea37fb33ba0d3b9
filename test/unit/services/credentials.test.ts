import { describe, expect, it } from 'vitest'
import type { CredentialRequest } from '../../../shared/api'
import { CredentialBroker, type SecretVault } from '../../../src-main/services/credentials'
import { EventBus } from '../../../src-main/services/events'
import { openStore } from '../../../src-main/store'

// Electron's safeStorage cannot run here (no Electron binary): this vault stands in for it.
const reversingVault: SecretVault = {
  encrypt: (plain) => Buffer.from([...plain].reverse().join('')),
  decrypt: (sealed) => [...sealed.toString()].reverse().join(''),
}

function setup(vault?: SecretVault) {
  const store = openStore(':memory:')
  const events = new EventBus()
  const asked: CredentialRequest[] = []
  events.on('credentials.requested', (r) => asked.push(r))
  return { store, broker: new CredentialBroker(store.secrets, events, vault), asked }
}

describe('CredentialBroker', () => {
  it('asks the admin through an event and returns the answer', async () => {
    const { broker, asked } = setup()
    const answer = broker.keyPassphrase('/home/ann/.ssh/id_ed25519', 'ann@kvm1')
    expect(asked).toMatchObject([{ kind: 'passphrase', keyFile: '/home/ann/.ssh/id_ed25519', host: 'ann@kvm1', canRemember: false }])
    expect(broker.pending()).toHaveLength(1)
    expect(broker.answer(asked[0]!.requestId, 'secret', true)).toBe(true)
    expect(await answer).toBe('secret')
    expect(broker.pending()).toEqual([])
  })

  it('never stores a secret without the OS keychain', async () => {
    const { broker, asked, store } = setup()
    const answer = broker.password('ann', 'ann@kvm1')
    broker.answer(asked[0]!.requestId, 'pw', true)
    await answer
    expect(store.secrets.get('password:ann@kvm1')).toBeUndefined()
  })

  it('keeps a remembered secret only encrypted, uses it once, and asks again when it was wrong', async () => {
    const { broker, asked, store } = setup(reversingVault)
    const first = broker.password('ann', 'ann@kvm1')
    expect(asked[0]!.canRemember).toBe(true)
    broker.answer(asked[0]!.requestId, 'hunter2', true)
    await first
    expect(store.secrets.get('password:ann@kvm1')!.toString()).toBe('2retnuh')
    // Next connection: from the keychain, nobody asked.
    expect(await broker.password('ann', 'ann@kvm1')).toBe('hunter2')
    expect(asked).toHaveLength(1)
    // Asked again in the same run means the stored one failed: it is dropped and the admin asked.
    const third = broker.password('ann', 'ann@kvm1')
    expect(asked).toHaveLength(2)
    expect(store.secrets.get('password:ann@kvm1')).toBeUndefined()
    broker.answer(asked[1]!.requestId, undefined, false)
    expect(await third).toBeUndefined()
  })
})
