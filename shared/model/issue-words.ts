import type { MessageRef } from './message'

/**
 * A check's message in the admin's words, for zod's custom issue (shared/api/issues.ts adds the
 * field). A key of shared/i18n's `input.issue` (this layer cannot import the catalogues; a unit test
 * holds every key used with it to exist).
 */
export function words(key: string, params: Record<string, string | number> = {}): { ref: MessageRef } {
  return { ref: { key, params } }
}
