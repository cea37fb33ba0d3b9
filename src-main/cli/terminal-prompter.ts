import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { noPrompts, type CredentialPrompter } from '../ssh/credentials'

/** Reads one line from the terminal without echoing it (passwords, passphrases). */
function askHidden(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let muted = false
    const output = new Writable({
      write(chunk, _encoding, callback) {
        if (!muted) process.stderr.write(chunk)
        callback()
      },
    })
    const rl = createInterface({ input: process.stdin, output, terminal: true })
    rl.question(question, (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer === '' ? undefined : answer)
    })
    muted = true
    rl.on('SIGINT', () => {
      rl.close()
      resolve(undefined)
    })
  })
}

/** Asks on the terminal when there is one; otherwise only the agent and unencrypted keys are used. */
export function terminalPrompter(): CredentialPrompter {
  if (!process.stdin.isTTY) return noPrompts
  return {
    keyPassphrase: (keyFile, host) => askHidden(`Passphrase for ${keyFile} (${host}): `),
    password: (user, host) => askHidden(`Password for ${user} on ${host}: `),
  }
}
