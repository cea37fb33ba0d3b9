import { english, msg } from '../../../shared/i18n'
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

  /** VirtPilot's words about a host's output: the English and the message. */
  static said(ref: MessageRef): HostOutputError {
    return new HostOutputError(english(ref), ref)
  }
}

/** Runs one of the constant host scripts; output with nothing in it is an error naming the host. */
export async function runHostScript(connection: Pick<HostConnection, 'connect' | 'execScript' | 'label'>, script: string, timeoutMs: number, what: 'discovery' | 'proxmoxDiscovery', maxOutputBytes: number): Promise<string> {
  await connection.connect()
  const result = await connection.execScript(script, timeoutMs, maxOutputBytes)
  if (result.stdout.trim() === '') {
    throw HostOutputError.said(msg('access.hostOutput.printedNothing', { host: connection.label, what: msg(`access.hostOutput.what.${what}`), code: String(result.code), stderr: result.stderr.trim().slice(0, 300) }))
  }
  return result.stdout
}
