/** Positions, open orders and fills side by side along the bottom of the terminal. */
import { FillsPanel, OpenOrdersPanel, PositionsPanel, type OutcomeNames } from './account-panels.js'

export function AccountPanels({ names }: { names: OutcomeNames }) {
  return (
    <>
      <PositionsPanel names={names} />
      <OpenOrdersPanel names={names} />
      <FillsPanel names={names} />
    </>
  )
}
