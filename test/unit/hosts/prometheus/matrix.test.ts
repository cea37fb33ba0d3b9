// A query_range answer read into columns without JSON.parse of every pair: the same numbers as
// JSON.parse and Number() give (to the bit), and any answer not written the usual way is left to
// the general reader, which the client then uses.
import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { PrometheusClient } from '../../../../src-main/hosts/prometheus/client'
import { decodeMatrix } from '../../../../src-main/hosts/prometheus/matrix'

type Result = { metric: Record<string, string>; values: [number, string][] }[]
const answer = (result: Result, extra = '') => `{"status":"success","data":{"resultType":"matrix","result":${JSON.stringify(result)}}${extra}}`

/** What JSON.parse and Number() make of the same answer. */
function reference(text: string) {
  const parsed = JSON.parse(text) as { data: { result: Result } }
  return parsed.data.result.map((r) => ({ labels: r.metric, t: r.values.map(([t]) => Math.round(t * 1000)), v: r.values.map(([, v]) => Number(v)) }))
}

function decoded(text: string) {
  const columns = decodeMatrix(text)
  expect(columns).toBeDefined()
  return columns!.map((c) => ({ labels: c.labels, t: [...c.t], v: [...c.v] }))
}

describe('a query_range answer read into columns', () => {
  it('gives the values JSON.parse and Number() give, to the bit, whatever their digits', () => {
    // Values as Prometheus writes them: whole, rounded, 17 significant digits, exponents, negative, NaN and infinities.
    let seed = 7
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647)
    const values: string[] = ['0', '-0', '1', '536870912', '0.0609', '12.5', '-3.25', '1e-05', '2.5e+21', 'NaN', '+Inf', '-Inf', '0.000001', '123456789012345', '1234567890123456', '0.1234567890123456']
    for (let i = 0; i < 3000; i++) {
      const v = random() * 10 ** Math.floor(random() * 12 - 4)
      values.push(String(v), v.toFixed(Math.floor(random() * 8)), String(Math.round(v * 10000) / 10000))
    }
    const text = answer([
      { metric: { domain: 'vm0', instance: '10.0.0.1:9177', job: 'libvirt' }, values: values.map((v, i) => [1767225900 + 300 * i, v]) },
      { metric: {}, values: [[1767225900.123, '1'], [1767226200.5, '2']] },
      { metric: { domain: 'say "}]hi\\', name: 'ü' }, values: [] },
    ])
    const got = decoded(text)
    const want = reference(text)
    expect(got.map((s) => s.labels)).toEqual(want.map((s) => s.labels))
    expect(got.map((s) => s.t)).toEqual(want.map((s) => s.t))
    for (let s = 0; s < got.length; s++) for (let i = 0; i < got[s]!.v.length; i++) expect(Object.is(got[s]!.v[i], want[s]!.v[i]), `${values[i]}`).toBe(true)
  })

  it('reads an empty result, and an answer with warnings after its data', () => {
    expect(decodeMatrix(answer([]))).toEqual([])
    const text = answer([{ metric: { a: 'b' }, values: [[10, '1']] }], ',"warnings":["partial"]')
    expect(decoded(text)).toEqual([{ labels: { a: 'b' }, t: [10_000], v: [1] }])
  })

  it('leaves every other answer to the general reader', () => {
    const result: Result = [{ metric: { a: 'b' }, values: [[10, '1']] }]
    const data = { resultType: 'matrix', result }
    for (const text of [
      JSON.stringify({ status: 'success', data }, null, 2),
      JSON.stringify({ data, status: 'success' }),
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ values: result[0]!.values, metric: result[0]!.metric }] } }),
      JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }),
      answer(result).slice(0, -10),
      answer([{ metric: { a: 'b' }, values: [[10, '1']] }]).replace('[10,"1"]', '[10,1]'),
      answer([{ metric: { a: 'b' }, values: [[10, '1']] }]).replace('{"a":"b"}', '{"a":1}'),
    ])
      expect(decodeMatrix(text), text).toBeUndefined()
  })
})

let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

describe('the client reading a range', () => {
  it('gives the same series from an answer written another way (indented), through the general reader', async () => {
    const result: Result = [{ metric: { domain: 'web-1' }, values: [[1767225900, '0.5'], [1767226200, 'NaN']] }]
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }, null, 1))
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const client = new PrometheusClient(new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`), { headers: {} })
    const columns = await client.queryRangeColumns('up', 0, 1, 1000)
    expect(columns.map((c) => ({ labels: c.labels, t: [...c.t], v: [...c.v] }))).toEqual([{ labels: { domain: 'web-1' }, t: [1767225900_000, 1767226200_000], v: [0.5, Number.NaN] }])
    expect(await client.queryRange('up', 0, 1, 1000)).toEqual([{ labels: { domain: 'web-1' }, points: [[1767225900_000, 0.5], [1767226200_000, Number.NaN]] }])
  })
})
