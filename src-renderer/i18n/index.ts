import { createI18n } from 'vue-i18n'
import type { Language } from '../../shared/api'
import { dateEnUS, enUS } from 'naive-ui'
import { en, type MessageSchema } from './en'
import { loadLanguage, type LoadedLanguage } from './load'

/** The renderer's one i18n instance; the settings store switches its locale. */
export const i18n = createI18n<[MessageSchema], Language, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en } as Record<Language, MessageSchema>,
})

/** naive-ui's words and date formats of each language loaded (set before the language is shown). */
export const libraryLocales: Partial<Record<Language, LoadedLanguage['library']>> = { en: { locale: enUS, dateLocale: dateEnUS } }

let wanted: Language = 'en'

/** Shows `language`, once its catalogue is loaded; of quick successive switches the last one wins. */
export async function setLanguage(language: Language): Promise<void> {
  wanted = language
  if (language !== 'en' && !i18n.global.availableLocales.includes(language)) {
    const { messages, library } = await loadLanguage[language]()
    libraryLocales[language] = library
    i18n.global.setLocaleMessage(language, messages)
    if (wanted !== language) return
  }
  i18n.global.locale.value = language
  document.documentElement.lang = language
}
