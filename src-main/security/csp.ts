/** The renderer's Content-Security-Policy, sent as a header by serve mode and Electron alike. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // naive-ui and ECharts set inline styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  // 'self' covers the same-origin WebSocket of serve mode (CSP3).
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The same policy for the page's own <meta> tag (it is what a file:// load certainly applies),
 * written into the built index.html from this constant so the two cannot drift. frame-ancestors
 * is left out: browsers ignore it in a meta tag (the header carries it).
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ')
