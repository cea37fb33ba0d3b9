import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The CLI the tests run, built once (test/support/built-cli.ts).
          globalSetup: ['test/support/global-build.ts'],
          // Many tests start processes (the CLI, shells, sshd); on a busy machine that takes seconds.
          testTimeout: 60_000,
          hookTimeout: 60_000,
          typecheck: { enabled: true, include: ['test/unit/**/*.test-d.ts'], tsconfig: './tsconfig.node.json' },
          benchmark: { include: ['test/bench/**/*.bench.ts'] },
        },
      },
      {
        // Renderer stores against the real services over an in-memory bridge: no browser, no socket.
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['test/renderer/setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // Against the real lab (sshd, libvirtd, QEMU guests in network namespaces); needs root.
      'test/integration/vitest.config.ts',
    ],
  },
})
