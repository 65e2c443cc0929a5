/**
 * The daemon's trading side: picks the venue (`paper`, `sim`, `polymarket`), builds the order
 * service, the emulated stops and the alert center, and keeps trading halted until the order
 * state agrees with the venue.
 *
 * - `paper` (default): fills against the live books (paper-venue.ts); nothing leaves the machine.
 * - `sim`: the Polymarket venue adapter pointed at the simulator (in-process for `--feed sim`,
 *   else at the configured loopback URLs) with a generated test wallet. Same code as live.
 * - `polymarket`: live. Credentials come from the environment only (start.ts reads them), and
 *   only with `--live`.
 *
 * For `sim` and `polymarket`, trading stays halted (cause `NOT_RECONCILED`) until stored orders,
 * fills and positions agree with the venue: at start, after the user channel reconnects and
 * after the heartbeats lapsed. Orders placed elsewhere, or a position the venue counts
 * differently, keep it halted until a person resumes (`POST /api/risk/resume`); tokens with a
 * fill still `matched` are not compared. Passes run one at a time (reconcile-gate.ts): a channel
 * drop or heartbeat lapse during a pass keeps the halt, and a request during a pass queues one
 * more. Each reconciliation also sets the account's cash to the funder's collateral balance,
 * read last and read again if a fill was booked meanwhile (paper keeps the configured bankroll).
 *
 * A trade that fails on chain is taken back by the order service; trading goes on when every
 * fill of it is stored as failed and the positions of its tokens equal the venue's balances,
 * else it halts (`VENUE_MISMATCH`) until a person resumes.
 */
import type { Logger } from '../../adapters/log.js'
import type { TradingCredentials } from '../../adapters/polymarket/trading/credentials.js'
import { PolymarketTrading } from '../../adapters/polymarket/trading/polymarket-trading.js'
import { ReconcileGate } from '../../adapters/polymarket/trading/reconcile-gate.js'
import {
  PolymarketVenue,
  type FailedTrade,
  type OrderStage,
  type VenueJournal,
  type VenueProblem,
} from '../../adapters/polymarket/trading/polymarket-venue.js'
import type { BookView } from '../../domain/book/order-book.js'
import type { TickSize, TokenId } from '../../domain/market.js'
import type { MarketInfo } from '../../domain/market-info.js'
import { feeRateBpsOf } from '../../domain/backtest/fees.js'
import type { RiskLimits } from '../../domain/risk/limits.js'
import { RiskState } from '../../domain/risk/risk-state.js'
import { formatUsdc, type EpochMs, type ShareMicros, type UsdcMicros } from '../../domain/units.js'
import { AlertCenter } from '../../engine/execution/alerts.js'
import type { OrderLatencyTracker } from '../../engine/execution/order-latency.js'
import { OrderService, type TradableMarket } from '../../engine/execution/order-service.js'
import type { OrderRecord, OrderStore } from '../../engine/execution/order-store.js'
import { PaperVenue } from '../../engine/execution/paper-venue.js'
import { StopManager } from '../../engine/execution/stop-manager.js'
import type { StopStore } from '../../engine/execution/stop-store.js'
import type { Venue } from '../../engine/execution/venue.js'
import { riskLimitsBlock, simWalletCredentials } from './trading-text.js'

export type VenueChoice =
  | { readonly kind: 'paper' }
  | { readonly kind: 'sim' }
  | { readonly kind: 'polymarket'; readonly credentials: TradingCredentials }

/** Adapter settings tests shorten (timeouts, backoffs, heartbeat period). */
export type VenueTuning = {
  readonly requestTimeoutMs?: number
  readonly retry425BaseMs?: number
  readonly resolveDelaysMs?: readonly number[]
  readonly tradeWaitMs?: number
  readonly heartbeatIntervalMs?: number
  readonly reconcileRetryMs?: number
}

export type TradingSetupOptions = {
  readonly venue: VenueChoice
  readonly log: Logger
  now(): number
  readonly orderStore: OrderStore
  /** Null: no stops table (a bare test store); the stop routes answer 503. */
  readonly stopStore: StopStore | null
  readonly markets: readonly MarketInfo[]
  bookOf(tokenId: TokenId): BookView | undefined
  readonly risk: RiskLimits
  /** Starting cash of the account the order service keeps, USDC micros. */
  readonly bankroll: UsdcMicros
  /** Where the venue is: CLOB REST and the user channel (ignored for paper). */
  readonly urls: { readonly restUrl: string; readonly userWsUrl: string }
  /** Test hook: called at each stage of a venue submit (awaited). */
  stage?(stage: OrderStage, clientOrderId: string): Promise<void> | void
  readonly tuning?: VenueTuning
  /** Per-order stage latency (order-instruments.ts); none measured without it. */
  readonly latency?: OrderLatencyTracker | undefined
  /** Alert when a fill is worse than its preview by more than this many ticks. */
  readonly slippageAlertTicks?: number | undefined
  /**
   * The alert center, with its outlets already attached, so the alerts raised while trading
   * starts (unknown orders after a crash, reconciliation) are logged, stored and posted;
   * default a new one.
   */
  readonly alerts?: AlertCenter | undefined
}

export type TradingSetup = {
  readonly venueName: string
  /** The venue and the risk limits in force, one block (`start` prints it on stdout). */
  readonly banner: string
  readonly orders: OrderService
  readonly stops: StopManager | null
  readonly alerts: AlertCenter
  /** The live venue adapter (null for paper). */
  readonly venue: PolymarketVenue | null
  /** Whether the order state agrees with the venue (always true for paper). */
  reconciled(): boolean
  /** Runs a reconciliation now (live venues); resolves when done. */
  reconcile(): Promise<boolean>
  onBookChanged(book: BookView): void
  onTrade(event: Parameters<PaperVenue['onTrade']>[0]): void
  stop(): Promise<void>
}

/** Trading is halted with this cause until the order state agrees with the venue. */
export const NOT_RECONCILED = 'NOT_RECONCILED'
export const VENUE_MISMATCH = 'VENUE_MISMATCH'
const DEFAULT_MIN_SIZE = 5_000_000
/** Wallet balance reads per reconciliation while fills keep changing the cash. */
const CASH_READS = 3
const PAPER_POLL_MS = 50

export class TradingSetupError extends Error {
  readonly code = 'TRADING_SETUP_FAILED'
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Builds and starts the trading side; throws {@link TradingSetupError} with a clear message. */
export async function startTrading(options: TradingSetupOptions): Promise<TradingSetup> {
  const { log } = options
  const clock = (): EpochMs => options.now() as EpochMs
  const tradable = tradableOf(options.markets)
  const alerts =
    options.alerts ??
    new AlertCenter({
      onError: (e) => log.error({ err: messageOf(e) }, 'alert subscriber failed'),
    })
  const risk = new RiskState(options.risk, clock())
  let live: LiveVenue | null = null
  let paper: PaperVenue | null = null
  let venue: Venue
  if (options.venue.kind === 'paper') {
    paper = new PaperVenue({
      bookOf: (tokenId) => options.bookOf(tokenId),
      marketOf: (t) => tradable.get(t),
      now: clock,
    })
    venue = paper
  } else {
    live = await connectLive(options, tradable, clock, alerts, risk)
    venue = live.venue
    risk.restrict('global', 'halted', NOT_RECONCILED, clock())
  }
  let seq = 0
  const service = new OrderService({
    venue,
    store: options.orderStore,
    risk,
    marketOf: (tokenId) => tradable.get(tokenId),
    bookOf: (tokenId) => options.bookOf(tokenId),
    now: clock,
    bankroll: options.bankroll,
    newClientId: () => `o-${options.now().toString(36)}-${(seq++).toString(36)}`,
    onError: (e) => log.error({ err: messageOf(e) }, 'order event failed'),
    alerts,
    latency: options.latency,
    slippageAlertTicks: options.slippageAlertTicks,
  })
  const cleanup: (() => Promise<void>)[] = []
  try {
    if (live !== null) await live.venue.start()
    const recovered = await service.start()
    if (recovered.unknown.length > 0) {
      log.warn({ orders: recovered.unknown }, 'orders with an unknown outcome after restart')
    }
    if (live !== null) {
      await live.venue.connect()
      live.bind(service)
      cleanup.push(() => live?.close() ?? Promise.resolve())
      await live.reconcile()
    }
  } catch (e) {
    await live?.close()
    throw new TradingSetupError(`trading could not start: ${messageOf(e)}`, { cause: e })
  }

  let stops: StopManager | null = null
  if (options.stopStore !== null) {
    stops = new StopManager({
      orders: service,
      store: options.stopStore,
      orderStore: options.orderStore,
      marketOf: (tokenId) => tradable.get(tokenId),
      bookOf: (tokenId) => options.bookOf(tokenId),
      heldOf: (tokenId) =>
        (service.portfolio().positions.find((p) => p.tokenId === tokenId)?.size ??
          0) as ShareMicros,
      now: clock,
      onAlert: (a) => alerts.raise({ ...a, ts: clock() }),
      onError: (e) => log.error({ err: messageOf(e) }, 'stop manager failed'),
    })
    try {
      const summary = await stops.start()
      if (summary.loaded > 0) log.info({ ...summary }, 'stops loaded')
    } catch (e) {
      stops.stop()
      await live?.close()
      throw new TradingSetupError(`the stops could not be loaded: ${messageOf(e)}`, { cause: e })
    }
  }

  let poll: NodeJS.Timeout | null = null
  if (paper !== null) {
    const p = paper
    poll = setInterval(() => p.poll(clock()), PAPER_POLL_MS)
    poll.unref()
  }
  const venueLine =
    live === null
      ? 'paper (fills simulated against the live books; nothing is sent)'
      : live.describe
  const cash = formatUsdc(service.portfolio().cash)
  const cashLine =
    service.cashSource === 'wallet'
      ? `the funder's collateral balance at the venue, read at each reconciliation (now ${cash} USDC)`
      : live === null
        ? `the configured bankroll (${cash} USDC)`
        : `the configured bankroll until the funder's balance is read (${cash} USDC)`
  const block = riskLimitsBlock(options.risk, venueLine, cashLine)
  log.info({ venue: venue.name, limits: block }, 'trading ready; risk limits in force')

  let stopped = false
  return {
    venueName: venue.name,
    banner: block,
    orders: service,
    stops,
    alerts,
    venue: live?.venue ?? null,
    reconciled: () => live?.reconciled() ?? true,
    reconcile: () => live?.reconcile() ?? Promise.resolve(true),
    onBookChanged(book) {
      paper?.onBookChanged(book)
      live?.onBook(book)
      stops?.onBookChanged(book)
    },
    onTrade(event) {
      paper?.onTrade(event)
    },
    async stop() {
      if (stopped) return
      stopped = true
      if (poll !== null) clearInterval(poll)
      if (stops !== null) {
        stops.stop()
        await stops.settled()
      }
      await service.settled()
      for (const step of cleanup) await step()
    },
  }
}

/** The token → market facts the order service and the paper venue need. */
function tradableOf(
  markets: readonly MarketInfo[],
): Map<string, TradableMarket & { secondsDelay: number; negRisk: boolean }> {
  const tradable = new Map<string, TradableMarket & { secondsDelay: number; negRisk: boolean }>()
  for (const m of markets) {
    const rate = m.feeSchedule === null ? 0 : feeRateBpsOf(m.feeSchedule.rate)
    for (const outcome of m.outcomes) {
      tradable.set(outcome.tokenId, {
        market: m.conditionId,
        tickSize: m.tickSize ?? (100 as TickSize),
        minSize: m.minOrderSize ?? (DEFAULT_MIN_SIZE as ShareMicros),
        feeRateBps: rate < 0 ? 0 : rate,
        closed: m.closed,
        secondsDelay:
          m.secondsDelay !== null && Number.isFinite(m.secondsDelay) && m.secondsDelay > 0
            ? m.secondsDelay
            : 0,
        negRisk: m.negRisk,
      })
    }
  }
  return tradable
}

type LiveVenue = {
  readonly venue: PolymarketVenue
  readonly describe: string
  bind(service: OrderService): void
  reconcile(): Promise<boolean>
  reconciled(): boolean
  onBook(book: BookView): void
  close(): Promise<void>
}

/** Connects the adapter, and keeps the halt in step with what is known of the venue. */
async function connectLive(
  options: TradingSetupOptions,
  tradable: ReturnType<typeof tradableOf>,
  clock: () => EpochMs,
  alerts: AlertCenter,
  risk: RiskState,
): Promise<LiveVenue> {
  const { log } = options
  const name = options.venue.kind === 'polymarket' ? 'polymarket' : 'sim'
  const credentials =
    options.venue.kind === 'polymarket' ? options.venue.credentials : simWalletCredentials()
  const tuning = options.tuning ?? {}
  let trading: PolymarketTrading
  try {
    trading = await PolymarketTrading.connect(
      {
        restUrl: options.urls.restUrl,
        userWsUrl: options.urls.userWsUrl,
        ...(tuning.requestTimeoutMs === undefined
          ? {}
          : { requestTimeoutMs: tuning.requestTimeoutMs }),
        ...(tuning.retry425BaseMs === undefined ? {} : { retry425BaseMs: tuning.retry425BaseMs }),
      },
      credentials,
    )
  } catch (e) {
    throw new TradingSetupError(
      `cannot connect the ${name} venue at ${options.urls.restUrl}: ${messageOf(e)}`,
      { cause: e },
    )
  }
  for (const [tokenId, m] of tradable) {
    trading.setMarketParams(tokenId, { tick: m.tickSize, minSize: m.minSize, negRisk: m.negRisk })
  }
  let service: OrderService | null = null
  const ticks = new Map<string, TickSize>()
  const raise = (
    severity: 'info' | 'warning' | 'critical',
    code: string,
    message: string,
  ): void => {
    alerts.raise({ ts: clock(), severity, code, message, market: null })
  }
  const halt = (cause: string, why: string): void => {
    risk.restrict('global', 'halted', cause, clock())
    log.warn({ cause, why }, 'trading halted')
  }
  const onProblem = (p: VenueProblem): void => {
    log[p.severity === 'critical' ? 'error' : 'warn']({ code: p.code }, p.message)
  }
  // The order service has taken the fills back (and raised TRADE_FAILED); check it added up.
  const onTradeFailed = (trade: FailedTrade): void => {
    const s = service
    if (s === null) return
    void checkFailedTrade(s, trade).then(
      (problems) => {
        if (problems.length === 0) {
          log.warn(
            { trade: trade.tradeId, fills: trade.fills.length },
            'a trade failed on chain and was taken back; positions agree with the venue',
          )
          return
        }
        const message = `Trade ${trade.tradeId} failed on chain and taking it back does not add up: ${problems.join('; ')}. Trading is halted until a person checks and resumes it (POST /api/risk/resume).`
        halt(VENUE_MISMATCH, message)
        raise('critical', VENUE_MISMATCH, message)
      },
      (e: unknown) => {
        const message = `Trade ${trade.tradeId} failed on chain and the positions could not be checked with the venue (${messageOf(e)}). Trading is halted until a person checks and resumes it (POST /api/risk/resume).`
        halt(VENUE_MISMATCH, message)
        raise('critical', VENUE_MISMATCH, message)
      },
    )
  }
  const checkFailedTrade = async (s: OrderService, trade: FailedTrade): Promise<string[]> => {
    await s.settled()
    const problems: string[] = []
    for (const f of trade.fills) {
      const status = s.fill(f.fillId)?.status
      if (status !== 'failed') problems.push(`fill ${f.fillId} is still ${status ?? 'missing'}`)
    }
    const unsettled = s.unsettledTokens()
    for (const tokenId of new Set(trade.fills.map((f) => f.tokenId))) {
      // other trades of the token still in flight: the venue's balance may not show them yet
      if (unsettled.has(tokenId)) continue
      const held = await venue.tokenBalance(tokenId)
      const booked = s.portfolio().positions.find((p) => p.tokenId === tokenId)?.size ?? 0
      if (held !== booked) {
        problems.push(
          `token ${tokenId}: the venue holds ${held / 1e6} shares, the stored fills say ${booked / 1e6}`,
        )
      }
    }
    return problems
  }
  let isReconciled = false
  let retry: NodeJS.Timeout | null = null
  let closed = false
  const retryMs = tuning.reconcileRetryMs ?? 5000

  /** Reads the wallet's balance into the cash; read again when a fill was booked meanwhile. */
  const adoptCash = async (s: OrderService): Promise<UsdcMicros | null> => {
    for (let attempt = 0; attempt < CASH_READS; attempt++) {
      const mark = s.cashMark()
      const collateral = await venue.collateralBalance()
      if (await s.setCash(collateral, mark)) return collateral
    }
    log.warn(
      { attempts: CASH_READS },
      'fills kept arriving while the wallet balance was read; the cash stays as booked until the next reconciliation',
    )
    return null
  }

  const reconcileOnce = async (current: () => boolean): Promise<boolean> => {
    const s = service
    if (s === null || closed) return false
    isReconciled = false
    halt(NOT_RECONCILED, 'checking orders, fills and positions with the venue')
    try {
      const report = await venue.reconcile()
      await s.settled()
      const problems: string[] = []
      if (report.foreignOrders.length > 0) {
        problems.push(
          `${report.foreignOrders.length} open order(s) at the venue were not placed by this daemon (${report.foreignOrders.slice(0, 3).join(', ')}${report.foreignOrders.length > 3 ? ', …' : ''})`,
        )
      }
      const unsettled = s.unsettledTokens()
      const inFlight: string[] = []
      for (const p of s.portfolio().positions) {
        // a trade of the token still in flight: the venue's balance may not show it yet
        if (unsettled.has(p.tokenId)) {
          inFlight.push(p.tokenId)
          continue
        }
        const held = await venue.tokenBalance(p.tokenId)
        if (held !== p.size) {
          problems.push(
            `token ${p.tokenId}: the venue holds ${held / 1e6} shares, the stored fills say ${p.size / 1e6}`,
          )
        }
      }
      const collateral = await adoptCash(s)
      if (!current()) {
        // the channel dropped or the heartbeats lapsed meanwhile: this picture may be stale
        log.warn('the venue connection changed during the reconciliation; trading stays halted')
        return false
      }
      if (problems.length > 0) {
        const message = `The order state does not match the venue: ${problems.join('; ')}. Trading stays halted until a person checks and resumes it (POST /api/risk/resume).`
        risk.restrict('global', 'halted', VENUE_MISMATCH, clock())
        raise('critical', VENUE_MISMATCH, message)
        log.error({ problems }, 'reconciliation found differences; trading halted')
      } else {
        log.info(
          {
            fillsAdded: report.fillsAdded,
            updated: report.updated,
            cash: collateral === null ? null : formatUsdc(collateral),
            ...(inFlight.length === 0 ? {} : { notCompared: inFlight }),
          },
          'reconciled with the venue',
        )
      }
      risk.lift('global', NOT_RECONCILED, clock())
      isReconciled = true
      return true
    } catch (e) {
      log.error({ err: messageOf(e) }, 'reconciliation with the venue failed; trading stays halted')
      raise(
        'warning',
        NOT_RECONCILED,
        `Could not reconcile with the venue (${messageOf(e)}); trading stays halted and it is tried again in ${retryMs / 1000} s.`,
      )
      if (!closed) {
        retry = setTimeout(() => void reconcile(), retryMs)
        retry.unref()
      }
      return false
    }
  }
  const gate = new ReconcileGate(reconcileOnce)
  const reconcile = (): Promise<boolean> => gate.request()

  const venue = new PolymarketVenue({
    name,
    trading,
    journal: journalOf(options.orderStore),
    now: clock,
    ...(options.stage === undefined ? {} : { stage: (stage, id) => options.stage?.(stage, id) }),
    onProblem,
    onTradeFailed,
    onChannel: (state) => {
      if (state === 'disconnected') {
        gate.invalidate()
        isReconciled = false
        halt(NOT_RECONCILED, 'the user channel dropped')
      } else if (state === 'reconnected') {
        void reconcile()
      }
    },
    ...(tuning.resolveDelaysMs === undefined ? {} : { resolveDelaysMs: tuning.resolveDelaysMs }),
    ...(tuning.tradeWaitMs === undefined ? {} : { tradeWaitMs: tuning.tradeWaitMs }),
    heartbeat: {
      ...(tuning.heartbeatIntervalMs === undefined
        ? {}
        : { intervalMs: tuning.heartbeatIntervalMs }),
      onHealth: (health) => {
        if (health.state === 'lapsed') {
          // a pass running now must not lift the halt on what it read before the lapse
          gate.invalidate()
          if (isReconciled) {
            isReconciled = false
            halt(NOT_RECONCILED, 'heartbeats lapsed: the venue may have cancelled every open order')
          }
        } else if (
          health.state === 'healthy' &&
          !isReconciled &&
          !gate.running &&
          service !== null
        ) {
          void reconcile()
        }
      },
    },
  })
  return {
    venue,
    describe: `${name === 'sim' ? 'sim (the simulator, test wallet)' : 'polymarket LIVE'}: ${trading.describe()}`,
    bind(s) {
      service = s
    },
    reconcile,
    reconciled: () => isReconciled,
    onBook(book) {
      const m = tradable.get(book.assetId)
      if (m === undefined) return
      const tick = ticks.get(book.assetId) ?? m.tickSize
      if (book.tickSize !== tick) {
        ticks.set(book.assetId, book.tickSize)
        venue.setTick(book.assetId, book.tickSize, { minSize: m.minSize, negRisk: m.negRisk })
      }
    },
    async close() {
      closed = true
      if (retry !== null) clearTimeout(retry)
      await venue.close()
    },
  }
}

/** The venue's view of the order store. */
function journalOf(store: OrderStore): VenueJournal {
  const journalOrder = (o: OrderRecord) => ({
    clientOrderId: o.clientOrderId,
    orderId: o.venueOrderId,
    market: o.market,
    tokenId: o.tokenId,
    side: o.side,
    type: o.type,
    size: o.size,
    price: o.price,
    status: o.status,
    createdMs: o.createdMs,
  })
  return {
    async remember(clientOrderId, orderId) {
      const order = await store.getOrder(clientOrderId)
      if (order === null) throw new Error(`order ${clientOrderId} is not stored`)
      await store.updateOrder(clientOrderId, {
        status: order.status,
        filled: order.filled,
        venueOrderId: orderId,
        reasonCode: order.reasonCode,
        reasonMessage: order.reasonMessage,
        updatedMs: order.updatedMs,
      })
    },
    async order(clientOrderId) {
      const order = await store.getOrder(clientOrderId)
      return order === null ? null : journalOrder(order)
    },
    async orders() {
      return (await store.listOrders({ limit: 10_000 })).map(journalOrder)
    },
    async fills() {
      return (await store.listFills()).map((f) => ({
        clientOrderId: f.clientOrderId,
        fillId: f.fillId,
        size: f.size,
        status: f.status,
        ts: f.ts,
      }))
    },
  }
}
