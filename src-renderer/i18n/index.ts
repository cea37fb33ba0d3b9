import { createI18n } from 'vue-i18n'
import type { Language } from '../../shared/api'
import { en, type MessageSchema } from './en'
import { zhCN } from './zh-CN'

/** The renderer's one i18n instance; the settings store switches its locale. */
export const i18n = createI18n<[MessageSchema], Language, false>({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
})

export function setLanguage(language: Language): void {
  i18n.global.locale.value = language
  document.documentElement.lang = language
}
