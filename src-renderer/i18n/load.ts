import type { Language } from '../../shared/api'
import type { MessageSchema } from './en'
import type { NDateLocale, NLocale } from 'naive-ui'

/** What a language other than English brings: the app's catalogue and naive-ui's words and date formats. */
export interface LoadedLanguage {
  messages: MessageSchema
  library: { locale: NLocale; dateLocale: NDateLocale }
}

/**
 * Loads a language's catalogue when first shown (main.ts starts it at start-up when the settings
 * name it): start-up carries English only. No vue-i18n here, so main.ts stays small.
 */
export const loadLanguage: Record<Exclude<Language, 'en'>, () => Promise<LoadedLanguage>> = {
  'zh-CN': () =>
    Promise.all([import('./zh-CN'), import('./library.zh-CN')]).then(([app, library]) => ({
      messages: app.zhCN,
      library: { locale: library.zhCN, dateLocale: library.dateZhCN },
    })),
}
