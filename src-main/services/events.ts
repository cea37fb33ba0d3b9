import { eventChannels, type EventChannel, type EventOf } from '../../shared/api'

type Listener<E extends EventChannel> = (payload: EventOf<E>) => void

/** The api's push side: services emit, each transport forwards to its clients. */
export class EventBus {
  private readonly listeners = new Map<EventChannel, Set<Listener<never>>>()

  on<E extends EventChannel>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener as Listener<never>)
    return () => set.delete(listener as Listener<never>)
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: (event: EventChannel, payload: unknown) => void): () => void {
    const offs = (Object.keys(eventChannels) as EventChannel[]).map((event) =>
      this.on(event, (payload) => listener(event, payload)),
    )
    return () => offs.forEach((off) => off())
  }

  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        ;(listener as Listener<E>)(payload)
      } catch (error) {
        // One broken listener must not stop the others from hearing the event.
        console.error(`listener for ${event} failed:`, error)
      }
    }
  }
}
