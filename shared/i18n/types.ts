import type { MessageParam } from '../model/message'

/** A translation of catalogue T: the same keys, any text (a `typeof` of the English would demand the English words). */
export type Catalogue<T> = { readonly [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]> }

/** Every dotted key of a catalogue ('engine.move.title'). */
export type Leaves<T, P extends string = ''> = { [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`> }[keyof T & string]

/** The text at a dotted key. */
export type At<T, K extends string> = K extends `${infer H}.${infer R}` ? (H extends keyof T ? At<T[H], R> : never) : K extends keyof T ? T[K] : never

/** The `{name}` placeholders of a text (not `{'literal'}`). */
export type Placeholders<S, Acc extends string = never> = S extends `${string}{${infer P}}${infer R}` ? Placeholders<R, P extends `'${string}'` ? Acc : Acc | P> : Acc

/** The values a text needs: `count` chooses the plural form (shown or not), so it is a number. */
export type ParamsFor<S> = { [P in Placeholders<S>]: P extends 'count' ? number : MessageParam } & { count?: number }
