/**
 * A string in an exported Ansible playbook: a double-quoted YAML scalar tagged `!unsafe`, so
 * Ansible never templates it (a name holding `{{ lookup('pipe', ...) }}` stays text), with every
 * character YAML does not print as itself escaped (line breaks, controls, NEL, U+2028/2029, BOM).
 * Every string of a playbook goes through here.
 */
export function yamlText(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (printable(code)) out += ch
    // A lone surrogate is no character at all: what a UTF-8 writer would put in its place.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\uFFFD'
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return `!unsafe "${out}"`
}

/** YAML 1.2's printable set, less what YAML 1.1 (Ansible's PyYAML) reads as a line break. */
function printable(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xd7ff && code !== 0x2028 && code !== 0x2029) ||
    (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) ||
    code >= 0x10000
  )
}
