import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin, ResolvedConfig } from 'vite'
import { META_CONTENT_SECURITY_POLICY } from './src-main/security/csp'

/** Writes the CSP meta tag into index.html from the one policy constant (src-main/security/csp.ts). */
export function cspMeta(): Plugin {
  return {
    name: 'virtpilot-csp-meta',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  }
}

/**
 * index.html preloads the app's code and links its styles: main.ts imports the app dynamically
 * (after sending the start-up calls), and without these links the browser would learn of the
 * app's files only once main.ts has run.
 */
export function preloadApp(): Plugin {
  let config: ResolvedConfig
  return {
    name: 'virtpilot-preload-app',
    apply: 'build',
    configResolved: (resolved) => void (config = resolved),
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle, chunk: entry }) {
        if (!bundle || !entry) return
        const app = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId === resolve(__dirname, 'src-renderer/app.ts'))
        if (!app) throw new Error('virtpilot-preload-app: no chunk for src-renderer/app.ts')
        const scripts = new Set<string>()
        const styles = new Set<string>()
        const visit = (fileName: string) => {
          const chunk = bundle[fileName]
          if (scripts.has(fileName) || chunk?.type !== 'chunk') return
          scripts.add(fileName)
          chunk.viteMetadata?.importedCss.forEach((css) => styles.add(css))
          chunk.imports.forEach(visit)
        }
        visit(app.fileName)
        const linked = new Set([entry.fileName, ...entry.imports, ...(entry.viteMetadata?.importedCss ?? [])])
        return [
          ...[...styles].filter((f) => !linked.has(f)).map((f) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: config.base + f }, injectTo: 'head' as const })),
          ...[...scripts].filter((f) => !linked.has(f)).map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: config.base + f }, injectTo: 'head' as const })),
        ]
      },
    },
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
          cli: resolve(__dirname, 'src-main/cli/entry.ts'),
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
    plugins: [vue(), cspMeta(), preloadApp()],
    // vue-i18n: Composition API only, no legacy API or devtools hooks in the bundle.
    define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified; serve mode sends it to browsers, so minify.
      minify: !process.env.VIRTPILOT_UNMINIFIED,
      rolldownOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
      chunkSizeWarningLimit: 2000,
    },
  },
})
