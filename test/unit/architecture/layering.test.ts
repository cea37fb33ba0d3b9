import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The project's own lint configuration (eslint.config.js), run on code that breaks the layering
// of docs/architecture.md: each must be refused, and the same code where it belongs accepted.
const eslint = new ESLint({ cwd: new URL('../../..', import.meta.url).pathname })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.filter((m) => m.ruleId?.startsWith('import-x/')).map((m) => `${m.ruleId}: ${m.message}`)
}

describe('layering enforced by lint', { timeout: 120_000 }, () => {
  it('refuses an import circle', async () => {
    // index.ts imports db.ts; a db.ts that imports index.ts back closes the circle.
    const found = await problems('src-main/store/db.ts', "import { openStore } from './index'\nexport const open = openStore\n")
    expect(found).toEqual([expect.stringMatching(/^import-x\/no-cycle: Dependency cycle/)])
  })

  it('refuses a forbidden arrow, naming the rule it breaks', async () => {
    expect(await problems('src-main/store/inventory-extra.ts', "import { parseTarget } from '../ssh/target'\nexport const p = parseTarget\n")).toEqual([
      expect.stringContaining('src-main/store may import only store of src-main'),
    ])
    expect(await problems('src-main/hosts/proxmox/extra.ts', "import { LibvirtAdapter } from '../libvirt/adapter'\nexport const a = LibvirtAdapter\n")).toEqual([
      expect.stringContaining('src-main/hosts/proxmox may import only hosts/proxmox, hosts/linux'),
    ])
    expect(await problems('src-main/services/extra.ts', "import { hostsCommand } from '../cli/hosts'\nexport const c = hostsCommand\n")).toEqual(
      expect.arrayContaining([expect.stringContaining('only cli may import src-main/cli')]),
    )
    expect(await problems('src-main/services/extra.ts', "import { apiHandlers } from '../handlers'\nexport const h = apiHandlers\n")).toEqual([
      expect.stringContaining('only services/services.ts may import src-main/handlers'),
    ])
    expect(await problems('src-renderer/stores/extra.ts', "import { recommend } from '../../shared/engine/recommend'\nexport const r = recommend\n")).toEqual([
      expect.stringContaining('src-renderer may import only model, api, dashboard, text, i18n of shared/'),
    ])
  })

  it('accepts the same kinds of import where the map allows them', async () => {
    expect(await problems('src-main/hosts/proxmox/extra.ts', "import { parseMeminfo } from '../linux/parse/procfs'\nexport const p = parseMeminfo\n")).toEqual([])
    expect(await problems('src-main/cli/extra.ts', "import { createServices } from '../services/services'\nexport const c = createServices\n")).toEqual([])
  })
})
