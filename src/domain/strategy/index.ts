/** The strategy registry: every built-in strategy by name. */
import { fomoFade, panicFade, vacuumFade } from './fade.js'
import type { Strategy } from './strategy.js'

export const STRATEGIES: readonly Strategy[] = [panicFade, fomoFade, vacuumFade]

export function strategyByName(name: string): Strategy | undefined {
  return STRATEGIES.find((s) => s.name === name)
}

export { FADE_DEFAULTS, fomoFade, panicFade, vacuumFade } from './fade.js'
export { kellyFraction, sharesFor, SIZE_STEP, type KellyInputs, type Sizing } from './sizing.js'
export {
  parseNumericParams,
  StrategyParamError,
  type EntryRequest,
  type ExitDecision,
  type ExitPlan,
  type MarketMeta,
  type ParamValue,
  type PositionView,
  type Skip,
  type Strategy,
  type StrategyContext,
  type StrategyInstance,
  type StrategySignal,
} from './strategy.js'
