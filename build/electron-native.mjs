#!/usr/bin/env node
// The desktop app in a checkout needs better-sqlite3 built for Electron's ABI, while tests,
// the CLI and serve mode need it built for Node. This builds a second copy for Electron under
// out/electron-native/ (the app loads it through better-sqlite3's `nativeBinding` option) and
// leaves node_modules as it is. Packaged apps do not need it: electron-builder rebuilds there.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const root = new URL('..', import.meta.url).pathname
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version
const sqliteDir = join(root, 'node_modules/better-sqlite3')
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version
const stage = join(root, 'out/electron-native')
const stamp = join(stage, 'built-for.json')
const wanted = JSON.stringify({ electronVersion, sqliteVersion })

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) process.exit(0)

try {
  require.resolve('electron')
} catch {
  console.error('Electron is not installed: run `npm install` (with network access to download the Electron binary).')
  process.exit(1)
}

console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)...`)
mkdirSync(join(stage, 'node_modules'), { recursive: true })
cpSync(sqliteDir, join(stage, 'node_modules/better-sqlite3'), { recursive: true, filter: (src) => !src.includes('/build/') })
writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'virtpilot-electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }))
const { rebuild } = await import('@electron/rebuild')
await rebuild({ buildPath: stage, electronVersion, onlyModules: ['better-sqlite3'], force: true })
writeFileSync(stamp, wanted)
console.log('Done: out/electron-native/')
