import { describe, expect, it } from 'vitest'
import { dispatch, requestChannelNames, type ApiError, type Handlers } from '../../../shared/api'
import { english, formatMessage } from '../../../shared/i18n'
import type { EngineRun } from '../../../src-main/services/engine'
import { runEngineJob } from '../../../src-main/services/engine-schedule'
import { unknownChannel } from '../../../shared/api/unknown-channel'
import { englishRuns } from '../../support/english-runs'

const ctx = { transport: 'test' as const }
const never = Object.fromEntries(requestChannelNames.map((channel) => [channel, async () => Promise.reject(new Error(`${channel} was called`))])) as unknown as Handlers

/** A refusal the api sends: its English as before, and the same in Chinese with no English of ours. */
function said(error: ApiError, englishBefore: string, names: string[]): string {
  expect(error.message).toBe(englishBefore)
  expect(error.messageRef, englishBefore).toBeDefined()
  expect(english(error.messageRef!)).toBe(englishBefore)
  const chinese = formatMessage(error.messageRef!, 'zh-CN')
  expect(englishRuns(chinese, { names }), chinese).toEqual([])
  return chinese
}

describe('the api’s own refusals, in the admin’s language', () => {
  it('a channel the contract does not have (main’s dispatch, and the preload before it, say the same)', async () => {
    const result = await dispatch(never, 'fs.readFile', {}, ctx)
    expect(result.ok).toBe(false)
    const error = (result as { error: ApiError }).error
    expect(error.code).toBe('unknown-channel')
    expect(said(error, 'No api channel named "fs.readFile"', ['"fs.readFile"'])).toBe('没有名为 "fs.readFile" 的 API 通道')
    expect(error).toEqual(unknownChannel('fs.readFile'))
  })

  it('a request that does not fit its channel: the headline, and each field’s problem beside it', async () => {
    const result = await dispatch(never, 'settings.update', { theme: 'purple' }, ctx)
    const error = (result as { error: ApiError }).error
    expect(error.code).toBe('bad-request')
    expect(said(error, 'Invalid request for settings.update', ['settings.update'])).toBe('对 settings.update 的请求无效')
    expect(error.details?.join('\n')).toMatch(/theme/)
    expect(error.detailRefs?.length).toBe(error.details?.length)
  })
})

describe('the engine failing for a reason other than the plan validator (Recommendations page)', () => {
  it('is said as the engine failing, the error’s own words kept verbatim', async () => {
    // A job without a snapshot: the runner throws a TypeError, as a bug in it would.
    const reply = await runEngineJob({} as EngineRun)
    expect(reply.ok).toBe(false)
    const failure = reply as Extract<typeof reply, { ok: false }>
    expect(failure.message).toMatch(/^The engine failed: .+/)
    expect(english(failure.messageRef)).toBe(failure.message)
    const reason = failure.message.slice('The engine failed: '.length)
    expect(formatMessage(failure.messageRef, 'zh-CN')).toBe(`引擎运行失败：${reason}`)
  }, 60_000)
})
