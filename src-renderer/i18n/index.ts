import { createI18n } from 'vue-i18n'
import type { Language } from '../../shared/api'
import { en, type MessageSchema } from './en'

/** The renderer's one i18n instance; the settings store switches its locale. */
export const i18n = createI18n<[MessageSchema], Language, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en } as Record<Language, MessageSchema>,
})

/** The other languages' catalogues load when first shown: start-up carries English only. */
const catalogues: Record<Exclude<Language, 'en'>, () => Promise<MessageSchema>> = {
  'zh-CN': () => import('./zh-CN').then((m) => m.zhCN),
}

let wanted: Language = 'en'

/** Shows `language`, once its catalogue is loaded; of quick successive switches the last one wins. */
export async function setLanguage(language: Language): Promise<void> {
  wanted = language
  if (language !== 'en' && !i18n.global.availableLocales.includes(language)) {
    const messages = await catalogues[language]()
    i18n.global.setLocaleMessage(language, messages)
    if (wanted !== language) return
  }
  i18n.global.locale.value = language
  document.documentElement.lang = language
}
