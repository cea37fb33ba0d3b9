import { buildCli } from './built-cli'

/** vitest globalSetup: the CLI the tests run is built once, before any of them. */
export default async function setup(): Promise<void> {
  await buildCli()
}
