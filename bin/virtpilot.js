#!/usr/bin/env node
// The `virtpilot` command: runs the built CLI (npm run build makes out/main/cli.js).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  console.error('virtpilot: not built yet. Run `npm run build` first (or `npm run cli -- <args>` from a checkout).')
  process.exit(1)
}
await import(cli)
