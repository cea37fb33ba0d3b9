import { defineConfig } from '@playwright/test'
import base from '../../playwright.config'

/**
 * The README's screenshots (docs/screenshots/), taken on the demo cluster against a real
 * `virtpilot serve`. Not part of `npm test`, which never writes into the tree:
 *   npm run screenshots
 */
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '**/*.shots.ts',
  outputDir: '../../test-results/screenshots',
  timeout: 300_000,
  use: { ...base.use, viewport: { width: 1440, height: 900 } },
})
