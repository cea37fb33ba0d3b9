import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
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
        },
      },
      // Against the real lab (sshd, libvirtd, QEMU guests in network namespaces); needs root.
      'test/integration/vitest.config.ts',
    ],
  },
})
