#!/usr/bin/env node
// The `virtpilot` command: runs the built CLI (npm run build makes out/main/cli.js).
// Only checks that need nothing built live here, in the CLI's two languages (see src-main/cli/language.ts).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const argv = process.argv.slice(2)
const langAt = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='))
const lang = langAt < 0 ? process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG || '' : argv[langAt] === '--lang' ? argv[langAt + 1] ?? '' : argv[langAt].slice('--lang='.length)
const chinese = /^zh([-_](CN|Hans|SG)\b|$)/i.test(lang)
const refuse = (en, zh) => {
  console.error(`virtpilot: ${chinese ? zh : en}`)
  process.exit(1)
}

// package.json's engines: better-sqlite3 13 crashes (SIGSEGV) on Node 20 instead of failing cleanly.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  refuse(
    `needs Node.js 22.12 or newer; this is ${process.versions.node}. Install Node 22 LTS (README: Troubleshooting).`,
    `需要 Node.js 22.12 或更新版本；当前为 ${process.versions.node}。请安装 Node 22 LTS（见 README 的 Troubleshooting）。`,
  )
}

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  refuse(
    'not built yet. Run `npm run build` first (or `npm run cli -- <args>` from a checkout).',
    '尚未构建。请先运行 `npm run build`（或在源码目录中运行 `npm run cli -- <参数>`）。',
  )
}
await import(cli)
