/** Psychology signals (SPEC 2.4): the public surface. */
export {
  DEFAULT_SIGNAL_CONFIG,
  DEFAULT_SIGNAL_PARAMS,
  parseSignalConfig,
  paramsFor,
  SignalConfigError,
  type FomoBuyParams,
  type LiquidityVacuumParams,
  type PanicSellParams,
  type ReversionParams,
  type SignalConfig,
  type SignalParams,
} from './config.js'
export { SignalEngine, type SignalBookHandle, type SignalEngineOptions } from './signal-engine.js'
export {
  SIGNAL_TYPES,
  type Reversion,
  type Signal,
  type SignalCounters,
  type SignalListener,
  type SignalType,
} from './types.js'
