/**
 * naive-ui's card header is a role="heading" wrapping another role="heading", neither with a
 * level (an ARIA error screen readers stumble on). Each card title becomes one level-3 heading
 * (the page title is h1): the inner element keeps the role and gets the level, the wrapper, which
 * also holds the card's buttons, becomes a plain element. Vue sets these attributes only when it
 * creates the element, so the change stays.
 */
const SELECTOR = '.n-card-header[role="heading"]'

function fix(header: Element): void {
  header.setAttribute('role', 'none')
  const main = header.querySelector(':scope > .n-card-header__main[role="heading"]')
  main?.setAttribute('aria-level', '3')
}

export function fixCardHeadings(root: HTMLElement): void {
  root.querySelectorAll(SELECTOR).forEach(fix)
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue
        if (node.matches(SELECTOR)) fix(node)
        node.querySelectorAll(SELECTOR).forEach(fix)
      }
    }
  }).observe(root, { childList: true, subtree: true })
}
