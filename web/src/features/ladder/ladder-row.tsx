/** One price row of the ladder; memoized on its values so only changed rows re-render. */
import { memo, type CSSProperties, type MouseEvent } from 'react'
import { priceText, sharesText, usdMicrosText } from '../../state/format.js'

export type LadderCell = 'bid' | 'ask' | 'pnl' | 'own-buy' | 'own-sell' | 'price'

export interface LadderRowProps {
  readonly price: number
  readonly tick: number
  readonly bid: number
  readonly ask: number
  readonly volume: number
  readonly ownBuy: number
  readonly ownSell: number
  readonly pnl: number | null
  readonly bestBid: boolean
  readonly bestAsk: boolean
  /** Relative depth 0..1 for the size bars. */
  readonly bidDepth: number
  readonly askDepth: number
  readonly volumeDepth: number
  readonly onCell: (cell: LadderCell, price: number, event: MouseEvent) => void
}

function size(micros: number): string {
  return micros > 0 ? sharesText(micros) : ''
}

export const LadderRow = memo(function LadderRow(props: LadderRowProps) {
  const { price, tick, onCell } = props
  const click = (cell: LadderCell) => (event: MouseEvent) => onCell(cell, price, event)
  const pnlClass =
    props.pnl === null ? '' : props.pnl > 0 ? 'gain' : props.pnl < 0 ? 'loss' : 'flat'
  const rowClass = [
    'ladder-row',
    props.bestBid ? 'best-bid' : '',
    props.bestAsk ? 'best-ask' : '',
    props.bid > 0 ? 'has-bid' : '',
    props.ask > 0 ? 'has-ask' : '',
  ].join(' ')
  return (
    <div className={rowClass} data-testid="ladder-row" data-price={price}>
      <span className="cell vol" style={{ '--depth': props.volumeDepth } as CSSProperties}>
        {size(props.volume)}
      </span>
      <button
        type="button"
        className="cell own own-buy"
        onClick={click('own-buy')}
        title={props.ownBuy > 0 ? 'Your buy orders here — click to cancel them' : ''}
        tabIndex={-1}
      >
        {size(props.ownBuy)}
      </button>
      <button
        type="button"
        className="cell bid"
        data-testid="ladder-bid"
        style={{ '--depth': props.bidDepth } as CSSProperties}
        onClick={click('bid')}
        tabIndex={-1}
      >
        {size(props.bid)}
      </button>
      <span className="cell price" onClick={click('price')} title="Use this price in the ticket">
        {priceText(price, tick)}
      </span>
      <button
        type="button"
        className="cell ask"
        data-testid="ladder-ask"
        style={{ '--depth': props.askDepth } as CSSProperties}
        onClick={click('ask')}
        tabIndex={-1}
      >
        {size(props.ask)}
      </button>
      <button
        type="button"
        className="cell own own-sell"
        onClick={click('own-sell')}
        title={props.ownSell > 0 ? 'Your sell orders here — click to cancel them' : ''}
        tabIndex={-1}
      >
        {size(props.ownSell)}
      </button>
      <button
        type="button"
        className={`cell pnl ${pnlClass}`}
        data-testid="ladder-pnl"
        onClick={click('pnl')}
        disabled={props.pnl === null}
        tabIndex={-1}
        title={props.pnl === null ? '' : 'Close the position at this price'}
      >
        {props.pnl === null ? '' : usdMicrosText(props.pnl, true)}
      </button>
    </div>
  )
})
