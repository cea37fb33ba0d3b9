import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Integration tests against the real lab (test/lab): sshd + libvirtd + QEMU guests in network
// namespaces. Needs root and the Debian packages in test/lab/README.md; without them the tests
// are reported as skipped, unless VIRTPILOT_REQUIRE_LAB=1 (set by .ci/run) makes that a failure.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'integration',
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/integration/global-setup.ts'],
    // one lab for all files: files run one after another, each may change what the lab runs
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
})
