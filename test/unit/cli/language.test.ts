import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PlanSchema, RecommendationSchema, SnapshotSchema } from '../../../shared/model'
import { openStore } from '../../../src-main/store'
import { englishRuns } from '../../support/english-runs'
import { cliArgv } from '../../support/built-cli'
import { runCli } from '../../support/cli-in-process'

const dir = mkdtempSync(join(tmpdir(), 'virtpilot-cli-lang-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The CLI (in this process: test/support/cli-in-process.ts) with no language in its environment but what the test gives. */
function cli(env: Record<string, string>, ...args: string[]) {
  return runCli(args, { LANG: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, VIRTPILOT_SSH_DIR: join(dir, '.ssh'), ...env })
}

/** The built command as a shell starts it: the language from the environment it passes. */
function spawned(env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['LANG', 'LC_ALL', 'LC_MESSAGES'].includes(k)))
  return spawnSync(process.execPath, cliArgv(args), { encoding: 'utf8', timeout: 300_000, env: { ...clean, VIRTPILOT_SSH_DIR: join(dir, '.ssh'), ...env } })
}

describe('the CLI in English or Chinese', { timeout: 300_000 }, () => {
  it('says its errors in English by default, in Chinese with --lang zh-CN or LANG=zh_CN; --json output is the same either way', async () => {
    const data = join(dir, 'virtpilot.db')
    const recommended = await cli({}, 'recommend', '--demo', '--json')
    expect(recommended.status, recommended.stderr).toBe(0)
    const recs = (JSON.parse(recommended.stdout) as { recommendations: unknown[] }).recommendations.map((r) => RecommendationSchema.parse(r))
    const rebalance = recs.find((r) => r.kind === 'migrate')!
    const recsFile = join(dir, 'recs.json')
    writeFileSync(recsFile, recommended.stdout)

    // The plan as JSON: English text with its message key and values, in whichever language.
    const plans = [await cli({}, 'plan', '--from', recsFile, '--approve', rebalance.id, '--json', '--data', data, '--lang', 'en'), await cli({}, 'plan', '--from', recsFile, '--approve', rebalance.id, '--json', '--data', data, '--lang', 'zh-CN')]
    for (const run of plans) expect(run.status, run.stderr).toBe(0)
    const [en, zh] = plans.map((run) => PlanSchema.parse(JSON.parse(run.stdout)))
    expect(zh!.steps.map((s) => [s.title, s.titleRef, s.commands.map((c) => [c.purpose, c.purposeRef])])).toEqual(en!.steps.map((s) => [s.title, s.titleRef, s.commands.map((c) => [c.purpose, c.purposeRef])]))
    expect(en!.steps[0]!.title).toMatch(/^Move /)
    expect(en!.steps[0]!.titleRef?.key).toBe('apply.step.move')
    const planFile = join(dir, 'plan.json')
    writeFileSync(planFile, plans[0]!.stdout)

    // Applying on the demo is refused: the reason in the admin's language.
    const english = await cli({}, 'apply', planFile, '--json', '--data', data)
    expect(english.status).toBe(1)
    expect(english.stderr).toMatch(/plan\.json: Cannot change demo-.*the embedded demo cluster replays traces/)
    for (const [env, args] of [[{}, ['--lang', 'zh-CN']], [{}, ['--lang=zh-CN']], [{ LANG: 'zh_CN.UTF-8' }, []]] as const) {
      const chinese = await cli(env, 'apply', planFile, '--json', '--data', data, ...args)
      expect(chinese.status).toBe(1)
      expect(chinese.stderr).toMatch(/plan\.json: 无法更改 demo-.*内置演示集群/)
      expect(englishRuns(chinese.stderr.replaceAll(planFile, ''), { names: ['demo-a', 'demo-b', 'demo-c'] })).toEqual([])
    }
    // --lang wins over LANG; an unknown language is bad usage.
    expect((await cli({ LANG: 'zh_CN.UTF-8' }, 'apply', planFile, '--json', '--data', data, '--lang', 'en')).stderr).toMatch(/Cannot change demo-/)
    const unknown = await cli({}, 'demo', '--json', '--lang', 'fr')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/--lang must be en or zh-CN/)
  })

  it('a scenario file it cannot read, an unknown command: in Chinese too, field by field', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'bad', start: 0, stepSeconds: 60, steps: 10, hosts: [{ id: 'h1', cpuCores: 0, memoryMiB: 1024 }], vms: [], workload: [] }))
    const english = await cli({}, 'whatif', bad, '--json')
    expect(english.status).toBe(1)
    expect(english.stderr).toContain('virtpilot: bad.json is not a valid VirtPilot scenario\n  hosts.0.cpuCores (host 1): must be more than 0')
    const chinese = await cli({}, 'whatif', bad, '--json', '--lang', 'zh-CN')
    expect(chinese.status).toBe(1)
    expect(chinese.stderr).toContain('virtpilot: bad.json 不是有效的 VirtPilot 场景\n  hosts.0.cpuCores（第 1 台宿主机）：必须大于 0')
    // As a shell starts it: LANG from the environment, the exit status, the whole of stderr.
    const unknown = spawned({ LANG: 'zh_CN.UTF-8' }, 'frobnicate')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toBe('virtpilot: 未知的命令 "frobnicate"\n用法请运行 `virtpilot --help`。\n')
    expect(englishRuns(unknown.stderr)).toEqual([])
    // --help: the same commands and options, described in Chinese.
    const help = await cli({}, '--help', '--lang', 'zh-CN')
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^virtpilot \S+ — 为小型 KVM\/libvirt 实验室调整规格、均衡负载并调优\n\n用法：\n {2}virtpilot serve \[--host ADDR\]/)
    expect(help.stdout).toContain('退出码：0 成功，1 失败，2 用法错误。')
    expect((await cli({}, 'hosts', '--help', '--lang', 'zh-CN')).stdout).toMatch(/^用法：\n {2}virtpilot hosts add TARGET/)
  })

  it('bad options, missing options, files it cannot read, an unknown VM: in Chinese with --lang zh-CN, word for word as before in English', async () => {
    const demo = SnapshotSchema.parse(JSON.parse((await cli({}, 'demo', '--json', '--at', '2026-01-01T00:00:00Z')).stdout))
    const badSnapshot = join(dir, 'BAD.json')
    writeFileSync(badSnapshot, JSON.stringify({ ...demo, vms: demo.vms.map((vm, i) => (i === 0 ? { ...vm, allocation: { ...vm.allocation, vcpus: 0 } } : vm)) }))
    const brokenText = '{"t": 1,\n  "hosts": [}'
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, brokenText)
    // V8's own words stay in the English line, as scripts know it.
    let v8 = ''
    try {
      JSON.parse(brokenText)
    } catch (error) {
      v8 = (error as Error).message
    }
    const seeHelp = { en: 'Run `virtpilot --help` for usage.\n', 'zh-CN': '用法请运行 `virtpilot --help`。\n' }
    const cases: { args: string[]; status: 1 | 2; en: string | RegExp; zh: string | RegExp }[] = [
      { args: ['recommend', '--demo', '--json', '--max-moves', 'abc'], status: 2, en: '--max-moves must be a whole number from 0 to 1000, got abc', zh: '--max-moves 必须是 0 到 1000 之间的整数，却是 abc' },
      { args: ['recommend', '--demo'], status: 2, en: 'recommend needs --json (results are printed as JSON)', zh: 'recommend 需要 --json（结果以 JSON 打印）' },
      { args: ['plan', '--json'], status: 2, en: 'plan needs --from RECOMMENDATIONS.json', zh: 'plan 需要 --from RECOMMENDATIONS.json' },
      {
        args: ['recommend', '--snapshot', badSnapshot, '--json'],
        status: 1,
        en: `${badSnapshot} is not a VirtPilot snapshot:\n  vms.0.allocation.vcpus: Too small: expected number to be >0`,
        zh: `${badSnapshot} 不是 VirtPilot 快照\n  vms.0.allocation.vcpus（第 1 台虚拟机）：必须大于 0`,
      },
      { args: ['recommend', '--snapshot', broken, '--json'], status: 1, en: `${broken} is not valid JSON: ${v8}`, zh: `${broken} 不是有效的 JSON\n  第 2 行第 13 列：意外的 "}"` },
      {
        args: ['request', 'migrate', 'nosuch', '--to', 'demo-a', '--demo', '--json'],
        status: 1,
        en: /^virtpilot: No VM "nosuch" on the hosts read \(names: [\w-]+(, [\w-]+){19}\)\n$/,
        zh: /^virtpilot: 读取的宿主机上没有虚拟机 "nosuch"（现有名称：[\w-]+(、[\w-]+){19}）\n$/,
      },
    ]
    for (const { args, status, en, zh } of cases) {
      for (const [language, said] of [['en', en], ['zh-CN', zh]] as const) {
        const run = await cli({}, ...args, '--lang', language)
        expect(run.status, run.stderr).toBe(status)
        // Bad usage (2) points to --help; bad input (1) says only what is wrong.
        if (typeof said === 'string') expect(run.stderr).toBe(`virtpilot: ${said}\n${status === 2 ? seeHelp[language] : ''}`)
        else expect(run.stderr).toMatch(said)
        if (language === 'zh-CN') expect(englishRuns(run.stderr, { names: ['recommend', 'plan', 'request', 'migrate', 'nosuch', badSnapshot, broken] }), run.stderr).toEqual([])
      }
      // English is the default: the same words without --lang.
      if (typeof en === 'string') expect((await cli({}, ...args)).stderr).toBe(`virtpilot: ${en}\n${status === 2 ? seeHelp.en : ''}`)
    }
    // An unknown --lang is refused in the environment's language.
    const unknown = await cli({ LANG: 'zh_CN.UTF-8' }, 'demo', '--json', '--lang', 'fr')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toBe('virtpilot: --lang 必须是 en 或 zh-CN，却是 "fr"\n')
  })

  it('rules and maintenance: refusals and bad usage in Chinese; --json output unchanged', async () => {
    const file = join(dir, 'rules.db')
    const demo = await cli({}, 'demo', '--json', '--at', '2026-01-01T00:00:00Z')
    const snapshot = SnapshotSchema.parse(JSON.parse(demo.stdout))
    const store = openStore(file)
    store.inventory.save({ hosts: snapshot.hosts, vms: snapshot.vms }, snapshot.t)
    store.close()
    const [a, b] = snapshot.vms
    const host = snapshot.hosts[0]!.id
    // Names, and the command it points to (virtpilot rules list).
    const names = [a!.name, b!.name, a!.id, b!.id, host, file, 'r9', 'nosuch', 'rules', 'list']
    const zh = (...args: string[]) => cli({ LANG: 'zh_CN.UTF-8' }, ...args, '--data', file, '--json')
    const added = await zh('rules', 'add', 'anti-affinity', a!.name, b!.name, '--name', 'apart')
    expect(added.status, added.stderr).toBe(0)
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'r1', kind: 'anti-affinity', vms: [a!.id, b!.id], name: 'apart' })
    const refusals = [
      [await zh('rules', 'add', 'affinity', a!.name, b!.name), 1, /既要放在一起（亲和）又要分开（反亲和）。$/],
      [await zh('rules', 'add', 'pin', a!.name), 2, /^virtpilot: hosts：固定规则只指定一台宿主机\n用法请运行/],
      [await zh('rules', 'add', 'anti-affinity', 'nosuch', a!.name), 1, /中没有虚拟机 nosuch（运行 `virtpilot collect` 读取宿主机）$/],
      [await zh('rules', 'remove', 'r9'), 1, /中没有规则 r9（参见：virtpilot rules list --json）$/],
      [await zh('maintenance', 'exit', host), 1, new RegExp(`${host} 不在维护模式中$`)],
    ] as const
    for (const [run, status, said] of refusals) {
      expect(run.status, run.stderr).toBe(status)
      expect(run.stderr.trim()).toMatch(said)
      expect(englishRuns(run.stderr, { names }), run.stderr).toEqual([])
    }
  })
})
