import type { GlobalTheme } from 'naive-ui'

// naive-ui's dark theme holds every component's dark styles: it loads only when dark is shown
// (main.ts starts the load as soon as the settings say dark), so a light start carries none of it.
let loading: Promise<GlobalTheme> | undefined

export function loadDarkTheme(): Promise<GlobalTheme> {
  loading ??= import('./dark-theme-styles').then((m) => m.darkTheme)
  return loading
}
