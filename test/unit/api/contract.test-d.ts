import { describe, expectTypeOf, it } from 'vitest'
import type { Handlers, RequestChannel, RequestOf, ResponseOf, EventChannel, EventOf, RequestChannelName, EventChannelName, Settings } from '../../../shared/api'
import type { ClusterSeries, Snapshot } from '../../../shared/model'

describe('api contract types', () => {
  it('has exactly the channel names the preload allows', () => {
    expectTypeOf<RequestChannel>().toEqualTypeOf<RequestChannelName>()
    expectTypeOf<EventChannel>().toEqualTypeOf<EventChannelName>()
  })

  it('pins request and response types per channel', () => {
    expectTypeOf<ResponseOf<'cluster.snapshot'>>().toEqualTypeOf<Snapshot>()
    expectTypeOf<ResponseOf<'cluster.history'>>().toEqualTypeOf<ClusterSeries>()
    expectTypeOf<RequestOf<'settings.update'>>().toEqualTypeOf<Partial<Settings>>()
    expectTypeOf<EventOf<'cluster.snapshot'>>().toEqualTypeOf<Snapshot>()
    // maxPoints has a default: callers may omit it.
    expectTypeOf<{ from: number; to: number }>().toExtend<RequestOf<'cluster.history'>>()
  })

  it('makes a channel without a handler a compile error', () => {
    const partial = {
      'app.info': async () => ({ version: '0', transport: 'cli' as const, dataFile: '', demoRunning: false, pollIntervalMs: 1 }),
    }
    // @ts-expect-error handlers for the other channels are missing
    const handlers: Handlers = partial
    void handlers
    expectTypeOf<keyof Handlers>().toEqualTypeOf<RequestChannel>()
  })

  it('makes a handler returning the wrong shape a compile error', () => {
    type SnapshotHandler = Handlers['cluster.snapshot']
    // @ts-expect-error a snapshot handler must resolve to a Snapshot
    const wrong: SnapshotHandler = async () => ({ hosts: 'none' })
    void wrong
  })
})
