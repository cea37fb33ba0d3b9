import { english } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'

/** Text main stores or sends: its English (logs, exports, older readers) and the message that says it in the reader's language. */
export function said(ref: MessageRef): { message: string; messageRef: MessageRef } {
  return { message: english(ref), messageRef: ref }
}
