/** Every migration, in the order they run. Append new ones; never edit a released one. */
import { initial } from './0001-initial.js'
import { eventsAndSignalOutcomes } from './0002-events-and-signal-outcomes.js'
import { backtestTradeDetails } from './0003-backtest-trade-details.js'
import { orderPath } from './0004-order-path.js'
import { alertsAndOrderLatency } from './0005-alerts-and-order-latency.js'
import { stops } from './0006-stops.js'
import { matchSettings } from './0007-match-settings.js'
import type { Migration } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [
  initial,
  eventsAndSignalOutcomes,
  backtestTradeDetails,
  orderPath,
  alertsAndOrderLatency,
  stops,
  matchSettings,
]
