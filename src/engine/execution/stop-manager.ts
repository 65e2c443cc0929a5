/**
 * Emulated stops (the venue has none): arms a stop from the fills of an entry order that asked
 * for one, watches the books of the tokens that have stops, and on a trigger sends a marketable
 * exit order through the order service, so risk still applies (the exit only sells shares that
 * are held, so reduce-only states allow it, and it is marked protective so halts do too).
 *
 * Guarantees:
 * - Never fires twice: a stop leaves `armed` in memory the moment it triggers, the `triggered`
 *   row (naming the exit order) is stored before the order is sent, and the exit order's client
 *   id is derived from the stop id (`<stop id>.x`), so a resend after a crash answers with the
 *   order already stored.
 * - Survives restarts: `start()` loads every unfinished stop, catches up on entry fills stored
 *   while it was down, and resolves a stop that was triggered but maybe not sent by looking its
 *   exit order up: found means it was sent (released, or failed if refused); not found means it
 *   was not, and it is sent on the next usable book of its token.
 * - A book change costs one map lookup for a token without stops.
 *
 * Everything that writes runs on one promise chain, in order. The pure rules are in
 * src/domain/orders/stops.ts.
 */
import type { BookView } from '../../domain/book/order-book.js'
import type { TokenId } from '../../domain/market.js'
import type { PriceTicks, ShareMicros } from '../../domain/units.js'
import {
  addEntryFill,
  cancelStop,
  evaluateStop,
  FINAL_STOP_STATES,
  newStop,
  offsetProblems,
  withExitOrder,
  type Stop,
  type StopOffsets,
} from '../../domain/orders/stops.js'
import type { OrderOrigin } from '../../domain/risk/checks.js'
import type { OrderRequest } from './order-service.js'
import type { OrderRecord } from './order-store.js'
import {
  DEFAULT_STOP_SLIPPAGE_TICKS,
  EXIT_SUFFIX,
  exitOrderIdOf,
  stopAlerts,
  type StopCancelResult,
  type StopManagerOptions,
  type StopOrderChange,
  type StopStartSummary,
  type StopSubmitResult,
} from './stop-port.js'
import { StopExits } from './stop-exit.js'
import { StopRecovery } from './stop-recovery.js'
import { FINAL_STATUSES, type VenueFill } from './venue.js'

export {
  DEFAULT_STOP_SLIPPAGE_TICKS,
  exitOrderIdOf,
  type StopAlert,
  type StopCancelResult,
  type StopManagerOptions,
  type StopOrderChange,
  type StopOrderPort,
  type StopStartSummary,
  type StopSubmitResult,
} from './stop-port.js'

/** Fill ids remembered against a repeated notification. */
const SEEN_FILLS_MAX = 10_000
/** Entries remembered for follow-on stops. */
const ENTRIES_MAX = 10_000
/** Entry fill id → the stop its shares went to, remembered for a failure (bounded). */
const FILL_STOPS_MAX = 10_000

export class StopManager {
  private readonly _o: StopManagerOptions
  /** Unfinished stops by id. */
  private readonly _stops = new Map<string, Stop>()
  /** Ids of the stops that read a token's book: armed ones, and triggered ones awaiting release. */
  private readonly _watch = new Map<TokenId, Set<string>>()
  /**
   * Entry order id → the newest stop of that entry, finished or not (bounded). Fills of an
   * entry can trail its stop's end: they are guarded by a follow-on stop modelled on this one.
   */
  private readonly _byEntry = new Map<string, Stop>()
  private readonly _exits: StopExits
  /** Triggered stops whose exit order still has to be sent (after a restart). */
  private readonly _awaiting = new Set<string>()
  /** Stops whose trailing reference moved and is not yet written. */
  private readonly _dirty = new Set<string>()
  private _flushQueued = false
  private readonly _seenFills = new Set<string>()
  private readonly _fillStops = new Map<string, string>()
  private _chain: Promise<void> = Promise.resolve()
  private _unsubscribe: (() => void) | null = null
  private readonly _listeners = new Set<(stop: Stop) => void>()
  private _seq = 0

  constructor(options: StopManagerOptions) {
    this._o = options
    const slippageTicks = options.slippageTicks ?? DEFAULT_STOP_SLIPPAGE_TICKS
    if (!Number.isSafeInteger(slippageTicks) || slippageTicks < 0) {
      throw new Error(`slippageTicks must be a whole number ≥ 0, got ${slippageTicks}`)
    }
    this._exits = new StopExits({
      orders: options.orders,
      write: (stop) => this._write(stop),
      heldOf: (t) => options.heldOf(t),
      bookOf: (t) => options.bookOf(t),
      now: () => options.now(),
      slippageTicks,
      ...(options.onAlert === undefined ? {} : { onAlert: (a) => options.onAlert?.(a) }),
      save: (stop) => this._save(stop),
    })
  }

  /** Loads unfinished stops, resolves the ones a restart interrupted, and starts listening. */
  start(): Promise<StopStartSummary> {
    this._unsubscribe ??= this._o.orders.subscribe((change) => this._onChange(change))
    const loading = this._enqueue(() => this._load())
    return loading
  }

  /** Stops listening to the order service; call `settled()` to wait for pending writes. */
  stop(): void {
    this._unsubscribe?.()
    this._unsubscribe = null
  }

  /** Waits until everything decided so far is written (and exit orders sent). */
  settled(): Promise<void> {
    return this._chain.catch(() => undefined)
  }

  /**
   * Sends an entry order that carries stop offsets. The stop is stored (`pending`) before the
   * order goes out and arms with its fills. A repeated client order id sends nothing new and
   * answers with the stop already guarding it. Throws for offsets `offsetProblems` rejects and
   * for a sell (stops guard shares bought).
   */
  async submitWithStops(
    request: OrderRequest,
    origin: OrderOrigin,
    offsets: StopOffsets,
  ): Promise<StopSubmitResult> {
    const problems = offsetProblems(offsets)
    if (problems.length > 0) throw new Error(problems.join('; '))
    if (request.side !== 'buy') {
      throw new Error('stop offsets guard a position opened by a buy; a sell cannot carry them')
    }
    const market = this._o.marketOf(request.tokenId)
    if (market === undefined) {
      // The service answers an unknown token with its denial; there is nothing to guard.
      return { result: await this._o.orders.submit(request, origin), stop: null }
    }
    const repeat = request.clientOrderId
    if (
      repeat !== null &&
      (this._byEntry.has(repeat) || (await this._o.orderStore.getOrder(repeat)) !== null)
    ) {
      const result = await this._o.orders.submit(request, origin)
      return { result, stop: await this._stopOfEntry(repeat) }
    }
    const now = this._o.now()
    const id = this._newId()
    const entryOrderId = request.clientOrderId ?? `${id}.e`
    const stop = newStop({
      id,
      market: market.market,
      tokenId: request.tokenId,
      side: 'long',
      entryOrderId,
      tickSize: market.tickSize,
      offsets,
      now,
    })
    this._stops.set(id, stop)
    this._rememberEntry(stop)
    try {
      // Stored before the entry is sent: its fills must find a stop after any restart.
      await this._enqueue(() => this._insert(stop))
    } catch (e) {
      this._stops.delete(id)
      this._byEntry.delete(entryOrderId)
      throw e
    }
    const result = await this._o.orders.submit({ ...request, clientOrderId: entryOrderId }, origin)
    await this._enqueue(async () => {
      const current = this._stops.get(id)
      if (current?.state !== 'pending') return
      if (!result.ok) {
        await this._cancel(
          current,
          'ENTRY_NOT_ACCEPTED',
          `the entry order was refused: ${result.message}`,
        )
      } else if (FINAL_STATUSES.has(result.order.status) && result.order.filled === 0) {
        await this._entryEnded(current, result.order)
      }
    })
    return { result, stop: this._stops.get(id) ?? (await this._o.store.getStop(id)) }
  }

  /** Call after every change of a live book (after the paper venue has seen it). */
  onBookChanged(book: BookView): void {
    const ids = this._watch.get(book.assetId)
    if (ids === undefined) return
    // A stale or resyncing book may show prices that are not there; wait for the snapshot.
    if (book.stale) return
    const quote = { bestBid: book.bestBid(), bestAsk: book.bestAsk() }
    const now = this._o.now()
    for (const id of ids) {
      const stop = this._stops.get(id)
      if (stop === undefined) continue
      if (this._awaiting.has(id)) {
        if ((stop.side === 'long' ? quote.bestBid : quote.bestAsk) === null) continue
        this._awaiting.delete(id)
        this._unwatch(stop)
        void this._enqueue(() => this._release(id))
        continue
      }
      const next = evaluateStop(stop, quote, now)
      if (next === stop) continue
      if (next.state === 'triggered') {
        const named = withExitOrder(next, exitOrderIdOf(id), now)
        this._stops.set(id, named)
        this._unwatch(named)
        this._dirty.delete(id)
        void this._enqueue(async () => {
          // Stored before the exit order is sent.
          await this._write(this._stops.get(id) ?? named)
          await this._release(id)
        })
      } else {
        this._stops.set(id, next)
        this._markDirty(id)
      }
    }
  }

  /** Stops newest first (unfinished and finished), as stored once pending writes are done. */
  async list(limit = 500): Promise<Stop[]> {
    await this.settled()
    return this._o.store.listStops({ limit })
  }

  /** Cancels a pending or armed stop. A triggered or finished one cannot be (a cancelled one answers as is). */
  async cancel(id: string): Promise<StopCancelResult> {
    const answer = await this._enqueue(async (): Promise<StopCancelResult> => {
      const stop = this._stops.get(id) ?? (await this._o.store.getStop(id))
      if (stop === null) return { ok: false, code: 'NOT_FOUND' }
      if (stop.state === 'cancelled') return { ok: true, stop }
      if (stop.state !== 'pending' && stop.state !== 'armed') {
        return { ok: false, code: 'NOT_CANCELLABLE', stop }
      }
      return { ok: true, stop: await this._cancel(stop, 'CANCELLED', 'cancelled by a person') }
    })
    return answer
  }

  /** Unfinished stops in memory (for a live view); no I/O. */
  active(): Stop[] {
    return [...this._stops.values()]
  }

  /** Hears every stop as stored (created, changed, trailing level moved); returns the unsubscribe. */
  subscribe(listener: (stop: Stop) => void): () => void {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }

  private async _insert(stop: Stop): Promise<void> {
    await this._o.store.insertStop(stop)
    this._tell(stop)
  }

  private async _write(stop: Stop): Promise<void> {
    await this._o.store.updateStop(stop)
    this._tell(stop)
  }

  private _tell(stop: Stop): void {
    for (const listener of this._listeners) {
      try {
        listener(stop)
      } catch (e) {
        this._o.onError?.(e)
      }
    }
  }

  private _newId(): string {
    return this._o.newId?.() ?? `st-${this._o.now().toString(36)}-${(this._seq++).toString(36)}`
  }

  /**
   * Runs `step` after everything queued before it. A failure reaches `onError` (the chain goes
   * on) and the returned promise; callers that do not wait mark the call `void`.
   */
  private _enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this._chain.then(step, step)
    this._chain = run.then(
      () => undefined,
      (e: unknown) => this._o.onError?.(e),
    )
    return run
  }

  /** Sends the exit order of a triggered stop still in memory (its row is stored). */
  private async _release(id: string): Promise<void> {
    const stop = this._stops.get(id)
    if (stop !== undefined) await this._exits.release(stop)
  }

  private _watchStop(stop: Stop): void {
    let ids = this._watch.get(stop.tokenId)
    if (ids === undefined) {
      ids = new Set()
      this._watch.set(stop.tokenId, ids)
    }
    ids.add(stop.id)
  }

  private _unwatch(stop: Stop): void {
    const ids = this._watch.get(stop.tokenId)
    if (ids === undefined) return
    ids.delete(stop.id)
    if (ids.size === 0) this._watch.delete(stop.tokenId)
  }

  private _markDirty(id: string): void {
    this._dirty.add(id)
    if (this._flushQueued) return
    this._flushQueued = true
    void this._enqueue(async () => {
      this._flushQueued = false
      const ids = [...this._dirty]
      this._dirty.clear()
      for (const dirty of ids) {
        const stop = this._stops.get(dirty)
        if (stop?.state === 'armed') await this._write(stop)
      }
    })
  }

  /** Stores a stop's new value and keeps the in-memory indexes in line with its state. */
  private async _save(stop: Stop): Promise<Stop> {
    await this._write(stop)
    this._track(stop)
    return stop
  }

  private _track(stop: Stop): void {
    const newest = this._byEntry.get(stop.entryOrderId)
    if (newest === undefined || newest.id === stop.id || newest.createdMs <= stop.createdMs) {
      this._rememberEntry(stop)
    }
    if (FINAL_STOP_STATES.has(stop.state)) {
      this._stops.delete(stop.id)
      this._unwatch(stop)
      this._awaiting.delete(stop.id)
      this._dirty.delete(stop.id)
      return
    }
    this._stops.set(stop.id, stop)
    if (stop.state === 'armed') this._watchStop(stop)
  }

  private _rememberEntry(stop: Stop): void {
    this._byEntry.delete(stop.entryOrderId)
    if (this._byEntry.size >= ENTRIES_MAX) {
      const oldest = this._byEntry.keys().next().value
      if (oldest !== undefined) this._byEntry.delete(oldest)
    }
    this._byEntry.set(stop.entryOrderId, stop)
  }

  private async _cancel(stop: Stop, code: string, message: string): Promise<Stop> {
    return this._save(cancelStop(stop, code, message, this._o.now()))
  }

  private async _stopOfEntry(entryOrderId: string): Promise<Stop | null> {
    const known = this._byEntry.get(entryOrderId)
    if (known !== undefined) return this._stops.get(known.id) ?? known
    const [latest] = await this._o.store.listStops({ entryOrderId, limit: 1 })
    return latest ?? null
  }

  private _onChange(change: StopOrderChange): void {
    if (change.kind === 'fill') {
      const fill = change.fill
      if (this._seenFill(fill.fillId)) return
      if (fill.side === 'buy' && this._byEntry.has(fill.clientOrderId)) {
        void this._enqueue(() => this._onEntryFill(fill))
      } else if (fill.side === 'sell' && this._watch.has(fill.tokenId)) {
        void this._enqueue(() => this._onSell(fill))
      }
      return
    }
    if (change.kind === 'fill_status') {
      const fill = change.fill
      if (fill.status !== 'failed') return
      if (fill.side === 'buy' && this._fillStops.has(fill.fillId)) {
        void this._enqueue(() => this._onEntryFillFailed(fill))
      } else if (fill.side === 'sell' && fill.clientOrderId.endsWith(EXIT_SUFFIX)) {
        void this._enqueue(() => this._onExitFillFailed(fill))
      }
      return
    }
    if (change.kind === 'order') {
      const order = change.order
      if (this._exits.has(order.clientOrderId)) {
        void this._enqueue(() => this._exits.onOrder(order))
      } else if (FINAL_STATUSES.has(order.status) && this._byEntry.has(order.clientOrderId)) {
        void this._enqueue(() => this._onEntryDone(order))
      }
    }
  }

  private async _onEntryFill(fill: VenueFill): Promise<void> {
    const now = this._o.now()
    const tickSize = this._o.bookOf(fill.tokenId)?.tickSize
    const fillPart = {
      price: fill.price,
      size: fill.size,
      ...(tickSize === undefined ? {} : { tickSize }),
    }
    const newest = this._byEntry.get(fill.clientOrderId)
    if (newest === undefined) return
    const current = this._stops.get(newest.id) ?? newest
    if (current.state === 'pending' || current.state === 'armed') {
      this._rememberFill(fill.fillId, current.id)
      await this._save(addEntryFill(current, fillPart, now))
      return
    }
    // A person who cancelled the stop wants none for this entry.
    if (current.state === 'cancelled' && current.reasonCode === 'CANCELLED') return
    // The stop already ended while the entry kept filling: the new shares get a stop of their own.
    const follow = newStop({
      id: this._newId(),
      market: current.market,
      tokenId: current.tokenId,
      side: current.side,
      entryOrderId: current.entryOrderId,
      tickSize: current.tickSize,
      offsets: current,
      now,
    })
    const armed = addEntryFill(follow, fillPart, now)
    this._rememberFill(fill.fillId, armed.id)
    await this._insert(armed)
    this._track(armed)
  }

  /**
   * An entry fill the stop counted failed on chain (the order service took it back): the stop
   * guards that many shares fewer, at the entry price of the fills left; with none left it is
   * cancelled (`ENTRY_FAILED`). A stop that has already fired is left to its exit, which never
   * sells more than is held.
   */
  private async _onEntryFillFailed(fill: VenueFill): Promise<void> {
    const stopId = this._fillStops.get(fill.fillId)
    this._fillStops.delete(fill.fillId)
    const stop = stopId === undefined ? undefined : this._stops.get(stopId)
    if (stop === undefined || (stop.state !== 'pending' && stop.state !== 'armed')) return
    const size = stop.size - fill.size
    if (size <= 0) {
      await this._cancel(
        stop,
        'ENTRY_FAILED',
        `the entry's trade of ${fill.size / 1e6} shares failed on chain and was taken back; nothing is left to guard`,
      )
      return
    }
    const entry = Math.round((stop.entryPrice * stop.size - fill.price * fill.size) / size)
    const entryPrice = Math.min(10_000 - stop.tickSize, Math.max(stop.tickSize, entry))
    await this._save({
      ...stop,
      size: size as ShareMicros,
      entryPrice: entryPrice as PriceTicks,
      updatedMs: this._o.now(),
    })
  }

  /**
   * A sale of a stop's exit order failed on chain: those shares are held again, without a stop.
   * The stop's `exitFilled` goes down by them and a critical alert says so.
   */
  private async _onExitFillFailed(fill: VenueFill): Promise<void> {
    const stopId = fill.clientOrderId.slice(0, -EXIT_SUFFIX.length)
    const stop = this._stops.get(stopId) ?? (await this._o.store.getStop(stopId))
    if (stop === null || stop.exitOrderId !== fill.clientOrderId) return
    const exitFilled = Math.max(0, stop.exitFilled - fill.size) as ShareMicros
    if (exitFilled !== stop.exitFilled) {
      const next: Stop = { ...stop, exitFilled, updatedMs: this._o.now() }
      await this._write(next)
      this._exits.replace(next)
      if (this._stops.has(stopId)) this._stops.set(stopId, next)
    }
    this._o.onAlert?.(stopAlerts.exitFailed(stop, fill.size))
  }

  private _rememberFill(fillId: string, stopId: string): void {
    if (this._fillStops.size >= FILL_STOPS_MAX) {
      const oldest = this._fillStops.keys().next().value
      if (oldest !== undefined) this._fillStops.delete(oldest)
    }
    this._fillStops.set(fillId, stopId)
  }

  /** An entry order finished. Fills may still trail its status (live venues), so an armed stop keeps listening. */
  private async _onEntryDone(order: OrderRecord): Promise<void> {
    const newest = this._byEntry.get(order.clientOrderId)
    const stop = newest === undefined ? undefined : this._stops.get(newest.id)
    if (stop?.state !== 'pending' || order.filled > 0) return
    await this._entryEnded(stop, order)
  }

  private async _entryEnded(stop: Stop, order: OrderRecord): Promise<Stop> {
    if (order.status === 'denied' || order.status === 'rejected') {
      const why = order.reasonMessage ?? order.reasonCode ?? 'no reason given'
      return this._cancel(stop, 'ENTRY_NOT_ACCEPTED', `the entry order was ${order.status}: ${why}`)
    }
    return this._cancel(
      stop,
      'ENTRY_NOT_FILLED',
      `the entry order ended ${order.status} without a fill`,
    )
  }

  /** A sale of a token with stops: when nothing is held any more, its armed stops stand down. */
  private async _onSell(fill: VenueFill): Promise<void> {
    if (this._o.heldOf(fill.tokenId) > 0) return
    const ids = [...(this._watch.get(fill.tokenId) ?? [])]
    for (const id of ids) {
      const stop = this._stops.get(id)
      if (stop?.state !== 'armed') continue
      await this._cancel(stop, 'POSITION_CLOSED', 'the position was closed by other orders')
    }
  }

  private async _load(): Promise<StopStartSummary> {
    const unfinished = await this._o.store.listStops({
      states: ['pending', 'armed', 'triggered'],
      limit: 100_000,
    })
    const summary = {
      loaded: unfinished.length,
      released: 0,
      failed: 0,
      cancelled: 0,
      awaitingRelease: 0,
    }
    const recovery = new StopRecovery(this._o.store, this._o.orderStore, () => this._o.now())
    // Oldest first, so the newest stop of an entry is tracked last and owns its later fills.
    for (const stop of unfinished.reverse()) {
      const decision = await recovery.decide(stop)
      switch (decision.kind) {
        case 'await-release':
          this._stops.set(stop.id, stop)
          this._rememberEntry(stop)
          this._awaiting.add(stop.id)
          this._watchStop(stop)
          summary.awaitingRelease++
          break
        case 'exit-found': {
          const after = await this._exits.settle(stop, decision.order)
          if (after.state === 'failed') summary.failed++
          else summary.released++
          break
        }
        case 'entry-not-sent':
          await this._cancel(
            stop,
            'ENTRY_NOT_SENT',
            'the entry order was never sent (the daemon stopped first)',
          )
          summary.cancelled++
          break
        case 'entry-ended':
          await this._entryEnded(stop, decision.entry)
          summary.cancelled++
          break
        case 'resume':
          for (const fillId of decision.fillIds) {
            this._seenFill(fillId)
            this._rememberFill(fillId, decision.stop.id)
          }
          if (decision.stop !== stop) await this._write(decision.stop)
          this._track(decision.stop)
          break
      }
    }
    return summary
  }

  /** True when the fill was seen before; remembers it otherwise (bounded). */
  private _seenFill(fillId: string): boolean {
    if (this._seenFills.has(fillId)) return true
    if (this._seenFills.size >= SEEN_FILLS_MAX) {
      const oldest = this._seenFills.values().next().value
      if (oldest !== undefined) this._seenFills.delete(oldest)
    }
    this._seenFills.add(fillId)
    return false
  }
}
