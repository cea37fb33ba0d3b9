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
      // Against the real lab (sshd, libvirtd, QEMU guests in network namespaces); needs root.
      'test/integration/vitest.config.ts',
    ],
  },
})
