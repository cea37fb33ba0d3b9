import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

// Only the CLI of electron.vite.config.ts's main build (and the what-if worker it starts), into
// out/test-cli for the tests (test/support/built-cli.ts); out/main stays what `npm run build` made.
const root = resolve(__dirname, '../..')

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/test-cli'),
      rollupOptions: { input: { cli: resolve(root, 'src-main/cli/entry.ts'), 'whatif-worker': resolve(root, 'src-main/whatif/worker.ts') } },
    },
  },
})
