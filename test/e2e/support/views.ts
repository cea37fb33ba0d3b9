import type { Page } from '@playwright/test'
import { expect, type ServeInstance } from '../fixtures'

/** The element the page content scrolls in (naive-ui's layout content with its own scrollbar). */
export const CONTENT_SCROLLER = '.content > .n-scrollbar > .n-scrollbar-container'

/** One page of the app as the admin opens it by URL, and what shows it is ready. */
export interface View {
  name: string
  path: string
  ready: string
}

/** Every view, with data in it: a host and a VM of the demo, the engine's rebalance open, a plan. */
export async function allViews(serve: ServeInstance): Promise<View[]> {
  const snapshot = await serve.call('cluster.snapshot', {})
  const host = snapshot.hosts.find((h) => h.id === 'demo-c') ?? snapshot.hosts[0]!
  const vm = snapshot.vms.find((v) => v.hostId === host.id) ?? snapshot.vms[0]!
  const list = await analysed(serve)
  const rebalance = list.items.find((i) => i.recommendation.kind === 'migrate') ?? list.items[0]!
  return [
    { name: 'overview', path: '/overview', ready: 'host-row' },
    { name: 'hosts', path: '/hosts', ready: 'host-card' },
    { name: 'host-detail', path: `/hosts/${host.id}`, ready: 'detail-title' },
    { name: 'vm-detail', path: `/vms/${encodeURIComponent(vm.id)}`, ready: 'detail-title' },
    { name: 'recommendations', path: `/recommendations?rec=${encodeURIComponent(rebalance.recommendation.id)}`, ready: 'recommendation-detail' },
    { name: 'plans', path: '/plans', ready: 'plans-page' },
    { name: 'rules', path: '/rules', ready: 'rules-page' },
    { name: 'what-if', path: '/what-if', ready: 'whatif-view' },
    { name: 'audit', path: '/audit', ready: 'audit-page' },
    { name: 'settings', path: '/settings', ready: 'settings-page' },
  ]
}

/** The engine's list once its start-up analysis is done. */
export async function analysed(serve: ServeInstance) {
  await expect.poll(async () => (await serve.call('recommendations.list', {})).generatedAt, { timeout: 180_000, message: 'the start-up analysis finished' }).not.toBeNull()
  return serve.call('recommendations.list', {})
}

/** Opens a view by its URL in a fresh load (nothing else was opened in this page before). */
export async function openCold(page: Page, serve: ServeInstance, view: View): Promise<void> {
  await page.goto(`${serve.origin}/#${view.path}`)
  await expect(page.getByTestId(view.ready).first()).toBeVisible({ timeout: 30_000 })
}

/**
 * Layout problems on the page as shown: the page (or its scrolling content) scrolls sideways, or
 * an element sticks out of its card or hides content in a sideways scroller. Code blocks and text
 * shortened with an ellipsis scroll or clip on purpose.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((contentScroller) => {
    const problems: string[] = []
    const describe = (el: Element) => {
      const id = el.getAttribute('data-testid')
      const cls = typeof el.className === 'string' ? el.className.split(' ').filter(Boolean).slice(0, 2).join('.') : ''
      const text = (el.textContent ?? '').trim().slice(0, 40)
      return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls ? `.${cls}` : ''} "${text}"`
    }
    const root = document.scrollingElement ?? document.documentElement
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways (${root.scrollWidth} > ${root.clientWidth})`)
    for (const scroller of document.querySelectorAll(contentScroller)) {
      if (scroller.scrollWidth > scroller.clientWidth + 1) problems.push(`${describe(scroller)} scrolls sideways (${scroller.scrollWidth} > ${scroller.clientWidth})`)
    }
    const intended = (el: Element) => el.closest('pre, code, textarea, input, .n-ellipsis, canvas, .lazy-chart, .n-base-selection, .n-tag') !== null
    for (const card of document.querySelectorAll('.n-card')) {
      const box = card.getBoundingClientRect()
      if (box.width === 0) continue
      for (const el of card.querySelectorAll('*')) {
        if (intended(el)) continue
        const style = getComputedStyle(el)
        if (style.display === 'none' || style.visibility === 'hidden') continue
        const r = el.getBoundingClientRect()
        if (r.width === 0 || r.height === 0) continue
        if (r.right > box.right + 1 || r.left < box.left - 1) {
          problems.push(`${describe(el)} sticks out of its card ${describe(card)} (${Math.round(r.left)}–${Math.round(r.right)} vs ${Math.round(box.left)}–${Math.round(box.right)})`)
          continue
        }
        if ((style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden') && el.scrollWidth > el.clientWidth + 1 && style.textOverflow !== 'ellipsis') {
          problems.push(`${describe(el)} hides ${el.scrollWidth - el.clientWidth} px sideways in its card ${describe(card)}`)
        }
      }
    }
    return [...new Set(problems)].slice(0, 20)
  }, CONTENT_SCROLLER)
}
