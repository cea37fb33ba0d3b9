import { client } from './api'
import { peekStartupAnswer, sendStartupCalls, startupCalls } from './api/startup'
import { loadDarkTheme } from './dark-theme'
import { loadLanguage } from './i18n/load'

// Start-up runs in two parts. This small module runs first: it opens the api connection and
// sends the start-up calls, then uses the wait for the app's code (index.html preloads it) to
// load what the first page needs anyway. The app then finds its data already there.
sendStartupCalls(client, startupCalls(location.hash, Date.now()))
// For the start-up benchmark (test/bench/overview-start.perf.ts): the start-up calls are out.
performance.mark('virtpilot:calls-sent')
// The language's catalogue when it is not English, and the dark theme when dark is set: the
// app starts in English and light, and switches once these have loaded.
void peekStartupAnswer('settings.get')
  ?.then((settings) => {
    if (settings.language !== 'en') void loadLanguage[settings.language]()
    if (settings.theme === 'dark' || (settings.theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches)) void loadDarkTheme()
  })
  .catch(() => undefined)
// The first date format costs ~50 ms (ICU's data): paid now, while the main thread waits.
new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(0)

void import('./app').then(({ mountApp }) => mountApp())
