import type { ParsedRequestOf, RequestChannel, ResponseOf } from './contract'

/** Who is calling; transports fill it so handlers can log or refuse. */
export interface CallContext {
  transport: 'electron' | 'serve' | 'cli' | 'test'
}

export type Handler<C extends RequestChannel> = (req: ParsedRequestOf<C>, ctx: CallContext) => Promise<ResponseOf<C>>

/** One handler per channel: a channel added to the contract without a handler is a compile error. */
export type Handlers = { [C in RequestChannel]: Handler<C> }
