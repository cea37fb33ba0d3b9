import type { MessageRef } from '../../../shared/model'
import type { HostConnection } from '../../ssh/connection'

export class HostOutputError extends Error {
  override name = 'HostOutputError'
  constructor(
    message: string,
    /** The same in VirtPilot's words, where it has them (the English is `message`). */
    readonly messageRef?: MessageRef,
  ) {
    super(message)
  }
}

/** Runs one of the constant host scripts; output with nothing in it is an error naming the host. */
export async function runHostScript(connection: Pick<HostConnection, 'connect' | 'execScript' | 'label'>, script: string, timeoutMs: number, what: string, maxOutputBytes: number): Promise<string> {
  await connection.connect()
  const result = await connection.execScript(script, timeoutMs, maxOutputBytes)
  if (result.stdout.trim() === '') {
    throw new HostOutputError(`${connection.label}: the ${what} script printed nothing (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`)
  }
  return result.stdout
}
