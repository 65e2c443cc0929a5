/**
 * Table and column types as Kysely sees them. Every number is an integer in base units
 * (epoch ms, price ticks 0..10_000, share micros, USDC micros) unless its name says otherwise;
 * `mid` and ratios are the only reals. Flags are integers 0/1 so both databases agree. JSON is
 * stored as text.
 */
import type { Generated } from 'kysely'

type Flag = 0 | 1

export type MarketsTable = {
  condition_id: string
  slug: string
  question: string
  sport: string | null
  market_type: string
  tick_size: number | null
  min_order_size: number | null
  neg_risk: Flag
  game_start_ms: number | null
  seconds_delay: number | null
  raw_json: string
  updated_ms: number
}

export type TokensTable = {
  token_id: string
  condition_id: string
  outcome: string
  outcome_index: number
}

export type BookSnapshotsTable = {
  id: Generated<number>
  token_id: string
  ts_venue: number | null
  ts_local: number
  best_bid: number | null
  best_ask: number | null
  /** In ticks; may end in .5. */
  mid: number | null
  spread: number | null
  depth5_bid_shares: number
  depth5_ask_shares: number
  depth5_bid_usdc: number
  depth5_ask_usdc: number
  /** (bid − ask) / (bid + ask) over top-5 shares, −1..1; null on an empty book. */
  imbalance: number | null
  stale: Flag
  levels_json: string
}

export type TradesTable = {
  id: Generated<number>
  token_id: string
  ts: number
  price: number
  size: number
  taker_side: string | null
  fee_bps: number | null
  dedupe_key: string
}

export type SignalsTable = {
  id: Generated<number>
  type: string
  token_id: string
  /** Condition id; null on rows written before migration 0002. */
  market: string | null
  /** Event (venue) time of the signal, epoch ms. */
  ts: number
  score: number
  inputs_json: string
  /** `id` of the complement-token signal this one mirrors. */
  mirror_of: number | null
  volume_ratio: number | null
  spread_ratio: number | null
  depth_ratio: number | null
  /** Mid change over the detector's window, price units (0..1 scale); a real. */
  price_change: number | null
  /** Mid at the signal, price units; a real. */
  ref_price: number | null
  /** Flag; null until the reversion is settled. */
  reverted: Flag | null
  /** Ms from the signal to the reversion (a duration); null when it did not revert. */
  reversion_ms: number | null
  /** Unused since 0002; kept so old databases need no rewrite. */
  reversion_price: number | null
  /** Fraction of the move retraced; a real. */
  retrace: number | null
  /** Max favourable / adverse excursion of a fade, price units; reals. */
  mfe: number | null
  mae: number | null
  /** Event time the outcome was settled, epoch ms; null while open. */
  resolved_ts: number | null
}

export type GameEventsTable = {
  id: Generated<number>
  /** At least one of condition_id and asset_id is set (a CHECK since 0002). */
  condition_id: string | null
  asset_id: string | null
  type: string
  team: string | null
  player: string | null
  score: string | null
  map_number: number | null
  note: string | null
  /** Event time, venue-epoch ms (was `ts_local` before 0002). */
  ts: number
  /** Ms into the video it was logged from. */
  ts_video: number | null
  source: string
}

export type OrdersTable = {
  client_order_id: string
  venue_order_id: string | null
  token_id: string
  side: string
  price: number
  size: number
  order_type: string
  status: string
  origin: string
  created_ms: number
  updated_ms: number
  // Added by 0004 (the order path); null on older rows.
  condition_id: string | null
  time_in_force: string | null
  post_only: number | null
  filled: number | null
  reason_code: string | null
  reason_message: string | null
}

export type FillsTable = {
  id: Generated<number>
  client_order_id: string
  token_id: string
  ts: number
  price: number
  size: number
  fee_usdc: number
  dedupe_key: string
  // Added by 0004; null on older rows.
  side: string | null
  condition_id: string | null
  liquidity: string | null
  fill_status: string | null
}

export type PositionsTable = {
  token_id: string
  size: number
  cost_usdc: number
  realized_usdc: number
  updated_ms: number
  /** Added by 0004; null on older rows. */
  condition_id: string | null
}

export type RiskEventsTable = {
  id: Generated<number>
  ts: number
  kind: string
  code: string
  condition_id: string | null
  token_id: string | null
  detail: string
  // Added by 0004; null on older rows.
  scope: string | null
  message: string | null
  lifted_by: string | null
}

/** Dashboard settings per match (0007): the stream offset, market time − video time, ms. */
export type MatchSettingsTable = {
  condition_id: string
  offset_ms: number
  calibrated_ms: number
  video_url: string | null
  updated_ms: number
}

/** Emulated stops (0006); prices in ticks, sizes in share micros, times in epoch ms. */
export type StopsTable = {
  id: string
  condition_id: string
  token_id: string
  side: string
  entry_order_id: string
  entry_price: number
  size: number
  tick_size: number
  stop_loss_ticks: number | null
  take_profit_ticks: number | null
  trailing_stop_ticks: number | null
  extreme: number | null
  state: string
  trigger_kind: string | null
  trigger_price: number | null
  triggered_ms: number | null
  exit_order_id: string | null
  exit_filled: number
  reason_code: string | null
  reason_message: string | null
  created_ms: number
  updated_ms: number
}

export type AlertsTable = {
  id: Generated<number>
  ts: number
  /** The severity: info, warning, critical. */
  level: string
  /** The alert's code. */
  kind: string
  message: string
  token_id: string | null
  acknowledged_ms: number | null
  // Added by 0005; null on older rows.
  alert_id: string | null
  condition_id: string | null
}

/** The order path's stage latency per order (0005), ms; null until the stage happens. */
export type OrderLatencyTable = {
  client_order_id: string
  condition_id: string
  token_id: string
  decided_ms: number
  decision_to_send_ms: number
  send_to_ack_ms: number | null
  ack_to_fill_ms: number | null
  updated_ms: number
}

export type LatencySamplesTable = {
  id: Generated<number>
  ts: number
  stage: string
  latency_ms: number
  connection_id: string | null
}

export type BacktestRunsTable = {
  id: Generated<number>
  name: string
  started_ms: number
  finished_ms: number | null
  config_json: string
  summary_json: string | null
  /** Added by 0003; null on older rows. */
  strategy: string | null
}

export type BacktestTradesTable = {
  id: Generated<number>
  run_id: number
  token_id: string
  ts: number
  side: string
  price: number
  size: number
  fee_usdc: number
  pnl_usdc: number | null
  // Added by 0003 (a trade is a round trip); null on older rows.
  trade_no: number | null
  market: string | null
  match_key: string | null
  exit_ts: number | null
  entry_price: number | null
  exit_price: number | null
  exit_reason: string | null
  signal_id: number | null
  signal_type: string | null
  score: number | null
  substrategy: string | null
  reversion_s: number | null
}

export type MigrationsTable = {
  name: string
  applied_ms: number
}

export type Database = {
  markets: MarketsTable
  tokens: TokensTable
  book_snapshots: BookSnapshotsTable
  trades: TradesTable
  signals: SignalsTable
  game_events: GameEventsTable
  orders: OrdersTable
  fills: FillsTable
  positions: PositionsTable
  risk_events: RiskEventsTable
  stops: StopsTable
  match_settings: MatchSettingsTable
  alerts: AlertsTable
  order_latency: OrderLatencyTable
  latency_samples: LatencySamplesTable
  backtest_runs: BacktestRunsTable
  backtest_trades: BacktestTradesTable
  tiltmeter_migrations: MigrationsTable
}
