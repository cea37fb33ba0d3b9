import { msg } from '../../../../shared/i18n'
import { failed, parsed, type Parsed } from '../../linux/parse/result'

/** An element of the small XML subset libvirt prints: elements, attributes, text, comments, CDATA. */
export interface XmlElement {
  name: string
  attrs: Readonly<Record<string, string>>
  children: XmlElement[]
  /** Concatenated text directly inside this element, entities decoded, not trimmed. */
  text: string
  /** 1-based line of the opening tag, for error messages. */
  line: number
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
/** What may follow `&`, up to its `;`: the longest is `#x10FFFF` (looked at in a bounded window). */
const REFERENCE = /^(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/

/** XML 1.0's Char production: a reference to anything else (NUL, other C0 controls, surrogates, > U+10FFFF) is malformed. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
}

/** Entities and character references decoded; undefined at the first malformed one. One pass. */
function decodeEntities(s: string): string | undefined {
  let amp = s.indexOf('&')
  if (amp < 0) return s
  let out = ''
  let from = 0
  while (amp >= 0) {
    const m = REFERENCE.exec(s.slice(amp + 1, amp + 11))
    if (!m) return undefined
    const ref = m[1]!
    let decoded: string | undefined
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
      decoded = isXmlChar(code) ? String.fromCodePoint(code) : undefined
    } else {
      decoded = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined
    }
    if (decoded === undefined) return undefined
    out += s.slice(from, amp) + decoded
    from = amp + ref.length + 2
    amp = s.indexOf('&', from)
  }
  return out + s.slice(from)
}

// Sticky (`y`) so each match starts exactly at lastIndex without copying the rest of the text.
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y
const ATTR = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y
const TAG_END = /\s*(\/?)>/y
const CLOSE_TAG = /<\/([A-Za-z_:][-A-Za-z0-9_:.]*)\s*>/y

/**
 * Parses a well-formed XML document into a tree. Written here (instead of a dependency) because
 * libvirt's XML uses no DTDs, namespaces that matter or external entities; a DOCTYPE is rejected.
 */
export function parseXml(text: string, section: string): Parsed<XmlElement> {
  let pos = 0
  let line = 1
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  const advance = (to: number) => {
    for (let i = pos; i < to; i++) if (text.charCodeAt(i) === 10) line++
    pos = to
  }
  while (pos < text.length) {
    const lt = text.indexOf('<', pos)
    const chunkEnd = lt < 0 ? text.length : lt
    if (chunkEnd > pos) {
      const raw = text.slice(pos, chunkEnd)
      const top = stack[stack.length - 1]
      if (top) {
        const decoded = decodeEntities(raw)
        if (decoded === undefined) return failed(section, msg('hostOutput.xml.badReferenceInText'), { line })
        top.text += decoded
      } else if (raw.trim() !== '') {
        return failed(section, msg('hostOutput.xml.textOutsideRoot'), { line })
      }
      advance(chunkEnd)
    }
    if (lt < 0) break
    if (text.startsWith('<!--', pos)) {
      const end = text.indexOf('-->', pos + 4)
      if (end < 0) return failed(section, msg('hostOutput.xml.unterminatedComment'), { line })
      advance(end + 3)
    } else if (text.startsWith('<![CDATA[', pos)) {
      const end = text.indexOf(']]>', pos + 9)
      if (end < 0) return failed(section, msg('hostOutput.xml.unterminatedCdata'), { line })
      const top = stack[stack.length - 1]
      if (!top) return failed(section, msg('hostOutput.xml.cdataOutsideRoot'), { line })
      top.text += text.slice(pos + 9, end)
      advance(end + 3)
    } else if (text.startsWith('<?', pos)) {
      const end = text.indexOf('?>', pos + 2)
      if (end < 0) return failed(section, msg('hostOutput.xml.unterminatedInstruction'), { line })
      advance(end + 2)
    } else if (text.startsWith('<!', pos)) {
      return failed(section, msg('hostOutput.xml.declaration'), { line })
    } else if (text.startsWith('</', pos)) {
      CLOSE_TAG.lastIndex = pos
      const m = CLOSE_TAG.exec(text)
      if (!m) return failed(section, msg('hostOutput.xml.badClosingTag'), { line })
      const top = stack.pop()
      if (!top || top.name !== m[1]) {
        return failed(section, top ? msg('hostOutput.xml.closingMismatch', { closing: m[1]!, open: top.name }) : msg('hostOutput.xml.closingUnopened', { closing: m[1]! }), { line })
      }
      advance(CLOSE_TAG.lastIndex)
    } else {
      const tagLine = line
      NAME.lastIndex = pos + 1
      const nm = NAME.exec(text)
      if (!nm) return failed(section, msg('hostOutput.xml.badOpeningTag'), { line })
      // No prototype: an attribute called __proto__ must stay an ordinary key.
      const attrs = Object.create(null) as Record<string, string>
      let at = NAME.lastIndex
      for (;;) {
        ATTR.lastIndex = at
        const a = ATTR.exec(text)
        if (!a) break
        const value = decodeEntities(a[2] ?? a[3] ?? '')
        if (value === undefined) return failed(section, msg('hostOutput.xml.badReferenceInAttribute'), { line, field: a[1] })
        if (Object.hasOwn(attrs, a[1]!)) return failed(section, msg('hostOutput.xml.duplicateAttribute'), { line, field: a[1] })
        attrs[a[1]!] = value
        at = ATTR.lastIndex
      }
      TAG_END.lastIndex = at
      const close = TAG_END.exec(text)
      if (!close) return failed(section, msg('hostOutput.xml.badTag', { name: nm[0] }), { line })
      const el: XmlElement = { name: nm[0], attrs, children: [], text: '', line: tagLine }
      const parent = stack[stack.length - 1]
      if (parent) parent.children.push(el)
      else if (root) return failed(section, msg('hostOutput.xml.secondRoot'), { line })
      else root = el
      if (close[1] !== '/') stack.push(el)
      advance(TAG_END.lastIndex)
    }
  }
  if (stack.length > 0) return failed(section, msg('hostOutput.xml.endsInside', { name: stack[stack.length - 1]!.name }), { line })
  if (!root) return failed(section, msg('hostOutput.xml.empty'), { line })
  return parsed(root)
}

/** First child with this name, following a path: child(el, 'cpu', 'topology'). */
export function child(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el
  for (const name of path) {
    cur = cur?.children.find((c) => c.name === name)
    if (!cur) return undefined
  }
  return cur
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : []
}

/** Text of the element at path, trimmed; undefined when absent. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  const c = child(el, ...path)
  return c ? c.text.trim() : undefined
}
