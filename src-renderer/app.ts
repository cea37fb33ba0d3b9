import { createApp, nextTick } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { fixCardHeadings } from './card-headings'
import { endStartup } from './api/startup'
import './style.css'

/** Mounts the app; once the first page has mounted (and made its calls), start-up is over. */
export function mountApp(): void {
  fixCardHeadings(document.body)
  createApp(App).use(createPinia()).use(router).use(i18n).mount('#app')
  // For the start-up benchmark (test/bench/overview-start.perf.ts): the app's code is loaded and run.
  performance.mark('virtpilot:mounted')
  void router
    .isReady()
    .then(() => nextTick())
    .finally(endStartup)
}
