/**
 * The ladder of one outcome token: rows per market tick around the touch. Click a bid cell to
 * buy at that price, an ask cell to sell (limit orders, the ticket's size); Shift sizes to what
 * is available at the price, Alt to the position held. The P&L cell closes the position at its
 * price; an own-order cell cancels those orders.
 */
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type MouseEvent,
  type RefObject,
} from 'react'
import type { MarketJson } from '../../../../src/contracts/api.js'
import { useTerminal } from '../../shell/context.js'
import {
  decimalToMicros,
  decimalToTicks,
  priceDecimal,
  priceText,
  sharesDecimal,
  sharesText,
  usdText,
} from '../../state/format.js'
import {
  availableAt,
  buildLadder,
  chooseCenter,
  touchOf,
  type OwnOrder,
} from '../../state/ladder.js'
import { useTopic } from '../../state/use-store.js'
import { LadderRow, type LadderCell } from './ladder-row.js'

const OPEN_STATUSES = new Set(['pending', 'delayed', 'open', 'unknown'])
const ROW_REM = 1.45

export interface LadderProps {
  readonly market: MarketJson
  readonly tokenIndex: number
  readonly testId: string
}

function useRowCount(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null)
  const [rows, setRows] = useState(21)
  useEffect(() => {
    const element = ref.current
    if (element === null) return
    const measure = (): void => {
      const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16
      const count = Math.floor(element.clientHeight / (ROW_REM * rem))
      setRows(Math.max(7, count % 2 === 0 ? count - 1 : count))
    }
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [])
  return [ref, rows]
}

export function Ladder({ market, tokenIndex, testId }: LadderProps) {
  const api = useTerminal()
  const { store, ticket } = api
  const token = market.tokens[tokenIndex]
  const tokenId = token?.token_id ?? ''
  const tick = decimalToTicks(market.tick_size) ?? 100
  useTopic(store, `book:${tokenId}`)
  useTopic(store, `tape:${tokenId}`)
  useTopic(store, 'account')
  useTopic(store, 'health')
  const [bodyRef, rowCount] = useRowCount()
  const centerRef = useRef<number | null>(null)
  const [recenter, setRecenter] = useState(0)

  const message = store.books.get(tokenId) ?? null
  const book = message === null ? null : { bids: message.bids, asks: message.asks }
  const health = store.health?.books[tokenId] ?? message?.health ?? null
  const position = store.positions?.positions.find((p) => p.token_id === tokenId) ?? null
  const held =
    position === null
      ? null
      : {
          size: decimalToMicros(position.size) ?? 0,
          cost: Math.round(Number(position.cost_usdc) * 1_000_000),
        }
  const own: OwnOrder[] = []
  for (const o of store.orders) {
    if (o.token_id !== tokenId || !OPEN_STATUSES.has(o.status)) continue
    const price = decimalToTicks(o.price)
    const remaining = (decimalToMicros(o.size) ?? 0) - (decimalToMicros(o.filled) ?? 0)
    if (price !== null && remaining > 0) own.push({ side: o.side, price, remaining })
  }

  void recenter
  const center = chooseCenter(centerRef.current, book, rowCount, tick)
  centerRef.current = center
  const rows = buildLadder({
    book,
    tick,
    center,
    rows: rowCount,
    volumeAt: store.volumes.get(tokenId) ?? new Map<number, number>(),
    orders: own,
    position: held,
  })
  const maxDepth = Math.max(1, ...rows.map((r) => Math.max(r.bid, r.ask)))
  const maxVolume = Math.max(1, ...rows.map((r) => r.volume))

  const latest = useRef({ book, held, ticket, own, api })
  latest.current = { book, held, ticket, own, api }

  const onCell = useCallback(
    (cell: LadderCell, price: number, event: MouseEvent) => {
      const { book: b, held: h, ticket: t, api: a } = latest.current
      if (cell === 'own-buy' || cell === 'own-sell') {
        const side = cell === 'own-buy' ? 'buy' : 'sell'
        for (const o of a.store.orders) {
          if (o.token_id === tokenId && o.side === side && OPEN_STATUSES.has(o.status)) {
            const p = decimalToTicks(o.price)
            if (p !== null && Math.round(p / tick) * tick === price) void a.cancelOrder(o.id)
          }
        }
        return
      }
      if (cell === 'price') {
        a.updateTicket({ tokenId, price: priceText(price, tick), type: 'limit' })
        return
      }
      if (cell === 'pnl') {
        if (h === null || h.size <= 0) return
        void a.placeOrder(
          {
            token_id: tokenId,
            side: 'sell',
            type: 'limit',
            size: sharesDecimal(h.size),
            price: priceDecimal(price),
          },
          `Close ${sharesText(h.size)} at ${priceText(price, tick)}`,
        )
        return
      }
      const side = cell === 'bid' ? 'buy' : 'sell'
      let size: number | null
      if (event.altKey) {
        if (side === 'buy') {
          a.toast(
            'warning',
            'Nothing to flatten',
            'Alt sizes a sell to the position: Alt-click the ask side.',
          )
          return
        }
        size = h?.size ?? 0
        if (size <= 0) {
          a.toast(
            'warning',
            'No position',
            `No ${token?.outcome ?? 'token'} shares held to flatten.`,
          )
          return
        }
      } else if (event.shiftKey) {
        size = availableAt(b, side, price, tick)
        if (size <= 0) {
          a.toast(
            'warning',
            'Nothing available',
            `No size at ${priceText(price, tick)} to match or join.`,
          )
          return
        }
      } else {
        size = decimalToMicros(t.size)
        if (size === null || size <= 0) {
          a.toast('error', 'Ticket size', 'Set a size above 0 in the order ticket first.')
          return
        }
      }
      void a.placeOrder(
        {
          token_id: tokenId,
          side,
          type: 'limit',
          size: sharesDecimal(size),
          price: priceDecimal(price),
        },
        `${side === 'buy' ? 'Buy' : 'Sell'} ${sharesText(size)} @ ${priceText(price, tick)}`,
      )
    },
    [tokenId, tick, token?.outcome],
  )

  const { bid, ask } = touchOf(book)
  const selected = ticket.tokenId === tokenId
  const selectToken = (): void => api.updateTicket({ tokenId })
  const pnlAtBid = position?.unrealized_at_bid_usdc ?? null

  const header = useMemo(
    () => (
      <div className="ladder-columns" aria-hidden="true">
        <span>Vol</span>
        <span>Mine</span>
        <span>Bid</span>
        <span>Price</span>
        <span>Ask</span>
        <span>Mine</span>
        <span>P&amp;L</span>
      </div>
    ),
    [],
  )

  return (
    <section
      className={`panel ladder ${selected ? 'selected' : ''} health-${health ?? 'none'}`}
      data-testid={testId}
      data-token={tokenId}
      onMouseDown={selectToken}
    >
      <header className="ladder-head">
        <button
          type="button"
          className="outcome"
          onClick={selectToken}
          title="Trade this outcome in the ticket"
        >
          <span className={`dot ${selected ? 'on' : ''}`} />
          {token?.outcome ?? `Token ${tokenIndex + 1}`}
        </button>
        <span className="touch">
          <b className="bid-text">{bid === null ? '—' : priceText(bid, tick)}</b>
          <span className="muted"> / </span>
          <b className="ask-text">{ask === null ? '—' : priceText(ask, tick)}</b>
          {bid !== null && ask !== null && (
            <span className="muted"> · {((ask - bid) / tick).toFixed(0)}t</span>
          )}
        </span>
        {health !== null && health !== 'live' && <span className="chip bad">{health}</span>}
        <button
          type="button"
          className="ghost small"
          onClick={() => {
            centerRef.current = null
            setRecenter((n) => n + 1)
          }}
          title="Centre the ladder on the touch"
        >
          ⊕
        </button>
      </header>
      <div className="ladder-position">
        {position === null ? (
          <span className="muted">Flat</span>
        ) : (
          <>
            <span>
              {sharesText(decimalToMicros(position.size) ?? 0)} @ {position.avg_price.toFixed(3)}
            </span>
            <span className={Number(pnlAtBid) >= 0 ? 'gain' : 'loss'}>
              {usdText(pnlAtBid, true)} <span className="muted">at bid</span>
            </span>
          </>
        )}
      </div>
      {header}
      <div className="ladder-body" ref={bodyRef}>
        {message === null && <div className="ladder-empty">Waiting for the book…</div>}
        {rows.map((r) => (
          <LadderRow
            key={r.price}
            {...r}
            tick={tick}
            bidDepth={r.bid / maxDepth}
            askDepth={r.ask / maxDepth}
            volumeDepth={r.volume / maxVolume}
            onCell={onCell}
          />
        ))}
      </div>
    </section>
  )
}
