/**
 * The result a venue frame parser yields. Declared here so the engine can take a parser as a
 * port without importing the venue adapter.
 */
import type { MarketEvent } from '../domain/book/book-events.js'
import type { ParseError } from '../domain/errors.js'

export type ParseResult = {
  readonly events: MarketEvent[]
  readonly errors: ParseError[]
  /** True for non-JSON text frames such as `PONG` or `NO NEW ASSETS`. */
  readonly ignored: boolean
}
