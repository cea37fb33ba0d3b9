/** The single rule for links leaving the app: only web pages, opened in the system browser. */
export function isSafeExternalUrl(raw: string): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '' && url.hostname !== ''
}

/**
 * An IPC call is trusted only from the app's own page: same scheme and origin (dev server) or,
 * for file:// loads, the same renderer file.
 */
export function isTrustedRendererUrl(frameUrl: string, rendererUrl: string): boolean {
  let frame: URL
  let trusted: URL
  try {
    frame = new URL(frameUrl)
    trusted = new URL(rendererUrl)
  } catch {
    return false
  }
  if (trusted.protocol === 'file:') return frame.protocol === 'file:' && frame.pathname === trusted.pathname
  return frame.origin === trusted.origin
}
