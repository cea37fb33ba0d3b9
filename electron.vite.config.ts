import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { META_CONTENT_SECURITY_POLICY } from './src-main/security/csp'

/** Writes the CSP meta tag into index.html from the one policy constant (src-main/security/csp.ts). */
export function cspMeta(): Plugin {
  return {
    name: 'virtpilot-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  }
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // The desktop entry and the headless CLI share the same services.
          index: resolve(__dirname, 'src-main/index.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          // What-if replays run in a worker thread (src-main/whatif/run.ts finds it next to the main build).
          'whatif-worker': resolve(__dirname, 'src-main/whatif/worker.ts'),
          // The recommendation engine runs in a worker thread too (src-main/services/engine-schedule.ts).
          'engine-worker': resolve(__dirname, 'src-main/services/engine-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        // A sandboxed preload must be a single CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue(), cspMeta()],
    // vue-i18n: Composition API only, no legacy API or devtools hooks in the bundle.
    define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified; serve mode sends it to browsers, so minify.
      minify: true,
      rolldownOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
      chunkSizeWarningLimit: 2000,
    },
  },
})
