import type { Page } from '@playwright/test'

/** The text the admin sees, block by block ("|" between blocks), leaving out commands and what hosts said verbatim. */
export async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    // Commands and what a host said in its own words are marked so (code, translate="no", data-verbatim).
    const skipped = 'script, style, code, kbd, samp, textarea, svg, [data-verbatim], [translate="no"]'
    const parts: string[] = []
    let lastBlock: Element | null = null
    const blockOf = (el: Element): Element => {
      let at: Element | null = el
      while (at && getComputedStyle(at).display.startsWith('inline')) at = at.parentElement
      return at ?? el
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || parent.closest(skipped)) continue
      const text = node.textContent ?? ''
      if (text.trim() === '') continue
      const box = parent.getBoundingClientRect()
      const style = getComputedStyle(parent)
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue
      const block = blockOf(parent)
      parts.push(block === lastBlock ? text : ` | ${text}`)
      lastBlock = block
    }
    for (const input of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[placeholder], textarea[placeholder]')) {
      if (input.getBoundingClientRect().width > 0) parts.push(` | ${input.placeholder}`)
    }
    return parts.join('')
  })
}

/** What the drawn charts of the page say (axis labels, legends), read from ECharts' scene: canvas text is not in the DOM. */
export async function chartText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Drawn = { style?: { text?: unknown } }
    type Instance = { getZr(): { storage: { getDisplayList(update: boolean): Drawn[] } } }
    const texts: string[] = []
    for (const host of document.querySelectorAll('.lazy-chart')) {
      const instance = (host as unknown as { echartsInstance?: Instance }).echartsInstance
      if (!instance) continue
      for (const drawn of instance.getZr().storage.getDisplayList(true)) if (typeof drawn.style?.text === 'string' && drawn.style.text.trim()) texts.push(drawn.style.text)
    }
    return texts
  })
}

export const MONTHS = /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/
