/** Which match of a capture the dashboard shows, and which of its game events belong to it. */
import type { MarketJson } from '../../../../src/contracts/api.js'
import { MAX_PLAYBACK_TOKENS, type CaptureDetail } from '../../../../src/contracts/playback.js'

/** A token's name when the capture does not know its outcome: "Token 7203…5181". */
export function tokenName(id: string): string {
  return id.length > 10 ? `Token ${id.slice(0, 4)}…${id.slice(-4)}` : `Token ${id}`
}

/**
 * The match of a capture as a market the ladders understand (tick 0.01 when unknown): the
 * market of the first followed token with its outcomes; when the capture knows no market
 * (an import without market ids), every token of the capture, so any can be charted.
 */
export function captureMarket(detail: CaptureDetail, followed: readonly string[]): MarketJson {
  const first = followed[0] ?? detail.tokens[0] ?? null
  const info = detail.token_details.find((t) => t.token_id === first)
  const market = detail.markets_detail.find((m) => m.condition_id === info?.market) ?? null
  const named = (
    id: string,
    outcome: string | null | undefined,
  ): { token_id: string; outcome: string } => ({
    token_id: id,
    outcome: outcome ?? tokenName(id),
  })
  const tokens =
    market !== null && market.tokens.length > 0
      ? market.tokens.map((t) => named(t.token_id, t.outcome))
      : (detail.tokens.length > 0 ? detail.tokens : followed)
          .slice(0, MAX_PLAYBACK_TOKENS)
          .map((id) => named(id, detail.token_details.find((t) => t.token_id === id)?.outcome))
  const conditionId = market?.condition_id ?? info?.market ?? ''
  return {
    condition_id: conditionId,
    slug: market?.slug ?? '',
    question: market?.question ?? market?.slug ?? detail.name,
    sport: null,
    status: 'closed',
    game_start_time: null,
    tick_size: '0.01',
    min_size: '1',
    seconds_delay: 0,
    tokens,
    best_bid: null,
    best_ask: null,
    spread: null,
    liquidity_usd: '0',
    health: 'live',
  }
}

/** Whether a game event of the capture belongs to the match shown. */
export function eventOfMatch(
  e: { market: string | null; asset_id: string | null },
  market: string,
  tokens: ReadonlySet<string>,
): boolean {
  if (e.asset_id !== null && tokens.has(e.asset_id)) return true
  if (e.market !== null) return e.market === market
  return e.asset_id === null
}
