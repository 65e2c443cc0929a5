/**
 * The CLOB's public REST reads, answered from the scenario's true books in the venue's shapes:
 * `GET /book`, `POST /books`, `GET /tick-size`, `GET /fee-rate`, `GET /neg-risk`.
 */
import type { Scenario } from './scenario.js'
import type { RouteReply } from './http-util.js'

const NO_BOOK = { error: 'No orderbook exists for the requested token id' }
const INVALID_TOKEN = { error: 'Invalid token id' }

/** The REST book: the WebSocket snapshot without `event_type`, plus the REST-only fields. */
export function restBook(scenario: Scenario, tokenId: string): Record<string, unknown> | null {
  const snap = scenario.snapshot(tokenId)
  if (snap === undefined) return null
  return {
    market: snap.market,
    asset_id: snap.asset_id,
    timestamp: snap.timestamp,
    hash: snap.hash,
    bids: snap.bids,
    asks: snap.asks,
    min_order_size: '5',
    tick_size: snap.tick_size,
    neg_risk: false,
    last_trade_price: snap.last_trade_price,
  }
}

/** Answers a GET on one of the token routes; null when the path is not a REST route. */
export function restGet(
  scenario: Scenario,
  path: string,
  query: URLSearchParams,
): RouteReply | null {
  if (!['/book', '/tick-size', '/fee-rate', '/neg-risk'].includes(path)) return null
  const token = query.get('token_id')
  if (token === null || token === '') return { status: 400, body: INVALID_TOKEN }
  const book = restBook(scenario, token)
  if (book === null) return { status: 404, body: NO_BOOK }
  switch (path) {
    case '/book':
      return { status: 200, body: book }
    case '/tick-size':
      return { status: 200, body: { minimum_tick_size: Number(book['tick_size']) } }
    case '/fee-rate':
      return { status: 200, body: { base_fee: 0 } }
    default:
      return { status: 200, body: { neg_risk: false } }
  }
}

/** `POST /books` with `[{"token_id": …}]`: the known books, unknown tokens left out. */
export function restPostBooks(scenario: Scenario, bodyText: string): RouteReply {
  let value: unknown
  try {
    value = JSON.parse(bodyText)
  } catch {
    return { status: 400, body: { error: 'Invalid payload: body is not JSON' } }
  }
  if (!Array.isArray(value)) {
    return { status: 400, body: { error: 'Invalid payload: expected [{"token_id": …}]' } }
  }
  const books: Record<string, unknown>[] = []
  for (const item of value as unknown[]) {
    const token = (item as { token_id?: unknown } | null)?.token_id
    if (typeof token !== 'string') {
      return { status: 400, body: { error: 'Invalid payload: every item needs a token_id string' } }
    }
    const book = restBook(scenario, token)
    if (book !== null) books.push(book)
  }
  return { status: 200, body: books }
}
