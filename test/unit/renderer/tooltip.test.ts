import { describe, expect, it } from 'vitest'
import { tooltipHtml } from '../../../src-renderer/charts/tooltip'

describe('chart tooltips', () => {
  it('hold names as text: markup in a host name is escaped, lines are joined with <br/>', () => {
    expect(tooltipHtml(['<img src=x onerror=alert(1)>', 'CPU: 42 %'])).toBe('&#60;img src=x onerror=alert(1)&#62;<br/>CPU: 42 %')
    expect(tooltipHtml([`a & "b" 'c'`])).toBe('a &#38; &#34;b&#34; &#39;c&#39;')
  })
})
