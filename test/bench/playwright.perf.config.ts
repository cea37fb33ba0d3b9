import { defineConfig } from '@playwright/test'

/**
 * Dashboard performance benchmark (not part of `npm test`): prints a table, never fails on
 * timings. Build first (`npm run build`), then:
 *   npx playwright test -c test/bench/playwright.perf.config.ts
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.perf.ts',
  workers: 1,
  timeout: 20 * 60_000,
  reporter: [['list']],
  outputDir: '../../test-results/bench',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 960 },
    locale: 'en-US',
    timezoneId: 'UTC',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info'],
    },
  },
})
