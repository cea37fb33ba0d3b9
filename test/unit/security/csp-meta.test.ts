import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { cspMeta } from '../../../electron.vite.config'
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../../src-main/security/csp'

describe('the renderer page\'s CSP meta tag', () => {
  it('is written into index.html at build time from the policy the header sends, less what a meta tag cannot carry', () => {
    const transform = cspMeta().transformIndexHtml as () => { tag: string; attrs: Record<string, string> }[]
    const [tag] = transform()
    expect(tag).toMatchObject({ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CONTENT_SECURITY_POLICY } })
    expect(META_CONTENT_SECURITY_POLICY).toContain("font-src 'self' data:")
    expect(META_CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors')
    expect(CONTENT_SECURITY_POLICY).toBe(`${META_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`)
    // No hand-written copy left to drift.
    expect(readFileSync('src-renderer/index.html', 'utf8')).not.toContain('Content-Security-Policy')
  })
})
