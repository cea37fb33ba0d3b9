import { describe, expect, it } from 'vitest'
import { isSafeExternalUrl, isTrustedRendererUrl } from '../../../src-main/security/trust'

describe('external links', () => {
  it('opens only plain web pages', () => {
    expect(isSafeExternalUrl('https://libvirt.org/formatdomain.html')).toBe(true)
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false)
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false)
    expect(isSafeExternalUrl('smb://server/share')).toBe(false)
    expect(isSafeExternalUrl('https://user:pw@example.org/')).toBe(false)
    expect(isSafeExternalUrl('not a url')).toBe(false)
  })
})

describe('IPC sender check', () => {
  it('trusts only the app page itself', () => {
    const app = 'file:///opt/VirtPilot/resources/app/out/renderer/index.html'
    expect(isTrustedRendererUrl(`${app}#/hosts`, app)).toBe(true)
    expect(isTrustedRendererUrl('file:///tmp/evil.html', app)).toBe(false)
    expect(isTrustedRendererUrl('https://evil.example/', app)).toBe(false)
    expect(isTrustedRendererUrl('http://localhost:5173/#/', 'http://localhost:5173')).toBe(true)
    expect(isTrustedRendererUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
  })
})
