/**
 * The exchange's trades and their settlement lifecycle: MATCHED, then MINED (with a transaction
 * hash) and CONFIRMED after the configured delays, or — for an order under the `trade_failed`
 * fault — RETRYING and FAILED with every balance change of the trade put back. Each status
 * change is sent to the taker and every maker owner (never to the scenario's makers).
 */
import {
  hex64,
  SCENARIO_OWNER,
  tradeView,
  uuidOf,
  type Move,
  type SimTrade,
  type TradeStatus,
} from './orders.js'

export type TradeFilter = {
  readonly id?: string
  readonly market?: string
  readonly assetId?: string
  readonly makerAddress?: string
  /** Unix seconds, exclusive. */
  readonly before?: number
  readonly after?: number
}

export type TradeLogOptions = {
  readonly now: () => number
  readonly minedAfterMs: number
  readonly confirmedAfterMs: number
  readonly later: (ms: number, fn: () => void) => void
  /** Reverses one balance change of a failed trade. */
  readonly undo: (move: Move) => void
  readonly onUserEvent: (
    owner: string,
    conditionId: string,
    payload: Record<string, unknown>,
  ) => void
}

export type NewTrade = Omit<SimTrade, 'id' | 'status' | 'lastUpdateS' | 'txHash' | 'matchTimeS'>

export class TradeLog {
  /** Taker order ids whose trades will fail to settle. */
  readonly failing = new Set<string>()
  private readonly _o: TradeLogOptions
  private readonly _trades = new Map<string, SimTrade>()
  private _seq = 0

  constructor(options: TradeLogOptions) {
    this._o = options
  }

  /** Records a MATCHED trade and schedules the rest of its lifecycle. */
  record(fields: NewTrade): SimTrade {
    const nowS = Math.floor(this._o.now() / 1000)
    const id = uuidOf(`trade|${fields.takerOrderId}|${++this._seq}`)
    const trade: SimTrade = {
      ...fields,
      id,
      status: 'MATCHED',
      matchTimeS: nowS,
      lastUpdateS: nowS,
      txHash: null,
    }
    this._trades.set(id, trade)
    const { later, minedAfterMs, confirmedAfterMs } = this._o
    if (this.failing.has(fields.takerOrderId)) {
      later(minedAfterMs, () => {
        this._advance(trade, 'RETRYING')
        later(confirmedAfterMs, () => {
          for (const move of trade.ledger) this._o.undo(move)
          this._advance(trade, 'FAILED')
        })
      })
      return trade
    }
    later(minedAfterMs, () => {
      this._advance(trade, 'MINED')
      later(confirmedAfterMs, () => this._advance(trade, 'CONFIRMED'))
    })
    return trade
  }

  /** The owner's trades (as taker or maker), each from the owner's side. */
  list(owner: string, filter: TradeFilter = {}): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = []
    for (const trade of this._trades.values()) {
      const mine = trade.takerOwner === owner || trade.makers.some((m) => m.owner === owner)
      if (!mine) continue
      if (filter.id !== undefined && trade.id !== filter.id) continue
      if (filter.market !== undefined && trade.market !== filter.market) continue
      if (filter.assetId !== undefined && trade.assetId !== filter.assetId) {
        if (!trade.makers.some((m) => m.owner === owner && m.assetId === filter.assetId)) continue
      }
      if (filter.makerAddress !== undefined) {
        const address = filter.makerAddress.toLowerCase()
        const involved =
          trade.takerAddress === address || trade.makers.some((m) => m.makerAddress === address)
        if (!involved) continue
      }
      if (filter.before !== undefined && trade.matchTimeS >= filter.before) continue
      if (filter.after !== undefined && trade.matchTimeS <= filter.after) continue
      out.push(tradeView(trade, owner, this._o.now()))
    }
    return out
  }

  /** Sends the trade's current state to the taker and every maker owner. */
  emit(trade: SimTrade): void {
    const owners = new Set<string>([trade.takerOwner, ...trade.makers.map((m) => m.owner)])
    owners.delete(SCENARIO_OWNER)
    for (const owner of owners) {
      this._o.onUserEvent(owner, trade.market, {
        event_type: 'trade',
        ...tradeView(trade, owner, this._o.now()),
      })
    }
  }

  private _advance(trade: SimTrade, status: TradeStatus): void {
    trade.status = status
    trade.lastUpdateS = Math.floor(this._o.now() / 1000)
    if (status === 'MINED') trade.txHash ??= hex64(`tx|${trade.id}`)
    this.emit(trade)
  }
}
