import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import regexp from 'eslint-plugin-regexp'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'

/**
 * The layering of docs/architecture.md: for each folder, what in src-main it may import (paths
 * relative to src-main; its own folder always). A folder not listed may import anything below
 * it; what nobody may import is in `onlyFrom`.
 */
export const layers = {
  ssh: [],
  security: [],
  store: [],
  // Escaping of names and host text, one function per format (shell, YAML, CSV, terminal).
  export: ['ssh/quote.ts'],
  text: [],
  'hosts/linux': ['hosts/adapter.ts', 'ssh'],
  'hosts/libvirt': ['hosts/linux', 'hosts/adapter.ts', 'ssh'],
  'hosts/proxmox': ['hosts/linux', 'hosts/adapter.ts', 'ssh'],
  'hosts/demo': ['hosts/adapter.ts'],
  // A Prometheus-compatible store: plain HTTP, no SSH; wraps any adapter for discovery.
  'hosts/prometheus': ['hosts/adapter.ts'],
  hosts: ['ssh'],
  collect: ['hosts/adapter.ts', 'store'],
  apply: ['hosts/libvirt/commands.ts', 'ssh', 'store', 'export'],
  whatif: ['hosts/demo'],
  // services.ts, the composition root, also wires the api handlers (onlyFrom keeps the rest out).
  services: ['store', 'hosts', 'collect', 'apply', 'ssh', 'whatif', 'handlers', 'export', 'security'],
  handlers: ['services'],
  server: ['services', 'security'],
  cli: ['services', 'server', 'whatif', 'text', 'store/paths.ts', 'ssh/credentials.ts'],
  preload: [],
}

/** Front doors: imported only by the files named (the composition root wires the api handlers). */
export const onlyFrom = {
  cli: ['cli'],
  server: ['cli', 'index.ts'],
  handlers: ['services/services.ts'],
  'index.ts': [],
  preload: [],
}

/** What each part of shared/ and the renderer may import of shared/ (their own folder always). */
const sharedLayers = {
  // Names are data: what a name may hold and how it is shown escaped, one helper for all.
  'shared/text': [],
  'shared/model': ['text'],
  // Message catalogues and their formatter: what main, the engine, the CLI and the renderer say, in each language.
  'shared/i18n': ['model', 'text'],
  'shared/api': ['model', 'text', 'i18n'],
  // The replay's result types are the what-if api schemas' (one definition, in shared/api/whatif.ts).
  'shared/engine': ['model', 'text', 'i18n', 'api/whatif.ts'],
  'shared/dashboard': ['model', 'api', 'text', 'i18n'],
  'src-renderer': ['model', 'api', 'dashboard', 'text', 'i18n'],
}

function zones() {
  const out = []
  for (const [folder, allowed] of Object.entries(layers)) {
    out.push({ target: `./src-main/${folder}`, from: './src-main', except: [`./${folder}`, ...allowed.map((a) => `./${a}`)], message: `src-main/${folder} may import only ${[folder, ...allowed].join(', ')} of src-main (docs/architecture.md)` })
  }
  for (const [folder, importers] of Object.entries(onlyFrom)) {
    const others = ['apply', 'cli', 'collect', 'export', 'handlers', 'hosts', 'preload', 'security', 'server', 'services', 'ssh', 'store', 'text', 'whatif', 'index.ts']
    const targets = others.filter((o) => o !== folder && !importers.some((i) => i === o || i.startsWith(`${o}/`)))
    // The composition root lives in services/: services/* other than services.ts still may not import handlers.
    if (folder === 'handlers') targets.push('services/!(services).ts')
    out.push({ target: targets.map((t) => `./src-main/${t}`), from: `./src-main/${folder}`, message: `only ${importers.join(', ') || 'nothing'} may import src-main/${folder} (docs/architecture.md)` })
  }
  for (const [folder, allowed] of Object.entries(sharedLayers)) {
    const own = folder.startsWith('shared/') ? [`./${folder.slice('shared/'.length)}`] : []
    out.push({ target: `./${folder}`, from: './shared', except: [...own, ...allowed.map((a) => `./${a}`)], message: `${folder} may import only ${allowed.join(', ') || 'itself'} of shared/ (docs/architecture.md)` })
  }
  out.push({ target: ['./shared', './src-renderer'], from: './src-main', message: 'shared/ and the renderer never import src-main' })
  out.push({ target: './shared', from: './src-renderer', message: 'shared/ never imports the renderer' })
  return out
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'src-main/hosts/demo/data/**', '.bench-before/**'] },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'vue/multi-word-component-names': 'off',
      // Formatting is not a lint concern here.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    // The layering (docs/architecture.md) and no import circles anywhere, type imports included.
    files: ['src-main/**/*.ts', 'shared/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.vue', '.js', '.json'] })],
      // Components are followed for paths, not read for circles: stores never import them.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: zones() }],
    },
  },
  {
    // Host output and imported files are hostile input: no regex may backtrack or move super-linearly on them.
    files: ['**/*.ts', '**/*.vue'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      // A sticky regex is tried at one position only: it cannot move.
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignoreSticky: true, ignorePartial: false }],
    },
  },
  {
    // shared/ is pure: no Node, no Electron, no I/O, no clock.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', 'fs', 'path', 'child_process', 'better-sqlite3', 'ssh2'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pass `now` in: the engine never reads the clock.' },
        { object: 'Math', property: 'random', message: 'Pass a seed in: results must be reproducible.' },
      ],
    },
  },
  {
    // The renderer's start-up builds no schema it does not use: values come from the api's own
    // modules (shared/api/client, result, ...), types from anywhere. The barrel evaluates every
    // zod schema of the contract.
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.vue'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: ['../shared/api', '../../shared/api', '../../../shared/api'].map((name) => ({ name, message: 'Import values from the module that defines them (shared/api/client, result, whatif...): the barrel builds every schema of the contract at start-up.', allowTypeImports: true })) }],
    },
  },
)
