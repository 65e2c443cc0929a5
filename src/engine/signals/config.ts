/**
 * Signal engine configuration: SPEC 2.4 defaults, optional per-sport overrides, and the
 * validator for user config (a `signals` section of a JSON config file).
 *
 * User config is a deep partial: `{ default?: {...}, sports?: { cs2: {...} } }`. Every sport
 * override is applied on top of the (already overridden) default, so a sport only names what it
 * changes. Unknown keys are rejected so a typo never silently keeps a default.
 */

/** Thresholds of `PANIC_SELL`. */
export type PanicSellParams = {
  readonly enabled: boolean
  /** 30 s traded volume over its baseline, at least. */
  readonly volumeRatio: number
  /** Spread over its baseline, at least. */
  readonly spreadRatio: number
  /** Mid fell by at least this much over the short window, price units (0.03 = 3 cents). */
  readonly priceDrop: number
  /** Share of the short window's volume where the taker sold, at least (0..1). */
  readonly sellShare: number
  /** Score = min(volumeRatio / scoreVolumeRatio, 1). */
  readonly scoreVolumeRatio: number
  /**
   * Addition to SPEC 2.4: the largest single taker order's share of the taker-sell volume, at
   * most (0..1; 1 = off). A crowd is many takers; one order that is most of the flow is one
   * participant trading on what they know.
   */
  readonly maxOrderShare: number
  /**
   * Addition to SPEC 2.4: the fall must reach `priceDrop` without its largest jump (the
   * largest fall within any `jumpMs`), so a repricing that happens at once (makers requoting
   * on news) does not count as the crowd's move.
   */
  readonly excludeJump: boolean
}

/** Thresholds of `FOMO_BUY`. */
export type FomoBuyParams = {
  readonly enabled: boolean
  readonly volumeRatio: number
  /** Mid rose by at least this much over the short window, price units. */
  readonly priceRise: number
  /** Share of the short window's volume where the taker bought, at least (0..1). */
  readonly buyShare: number
  readonly scoreVolumeRatio: number
  /** Addition to SPEC 2.4: the largest taker order's share of the taker-buy volume, at most. */
  readonly maxOrderShare: number
  /** Addition to SPEC 2.4: the rise must reach `priceRise` without its largest jump. */
  readonly excludeJump: boolean
}

/** Thresholds of `LIQUIDITY_VACUUM`. */
export type LiquidityVacuumParams = {
  readonly enabled: boolean
  /** Top-N depth over its baseline, at most. */
  readonly depthRatio: number
  /** Spread over its baseline, at least. */
  readonly spreadRatio: number
  /**
   * Addition to SPEC 2.4: of the depth missing against its baseline, the share not explained by
   * the short window's traded volume (withdrawn by makers rather than consumed by takers), at
   * least (0..1; 0 = off). A vacuum is makers pulling quotes, not takers sweeping them.
   */
  readonly minWithdrawnShare: number
  /**
   * Addition to SPEC 2.4: no vacuum while the short window is a crowd burst, i.e. while its
   * volume and aggressor share meet the crowd detectors' own thresholds (the lower of
   * `panicSell.volumeRatio` and `fomoBuy.volumeRatio`; `panicSell.sellShare` or
   * `fomoBuy.buyShare`). A book thinned while a crowd trades is that crowd's move, which
   * `PANIC_SELL` / `FOMO_BUY` report; a vacuum is makers pulling without one.
   */
  readonly excludeCrowd: boolean
  /**
   * Addition to SPEC 2.4: depth (current and baseline) counts only the top-N levels that lie
   * within N ticks of the mid (N = `depthLevels`). On a full book that is the SPEC's top-N
   * depth; when the makers near the mid pull, the far levels that move up into the best N do
   * not hide the hole. false = the SPEC's top-N levels wherever they are.
   */
  readonly bandDepth: boolean
  /**
   * Addition to SPEC 2.4: the thin, wide book must have held this long (ms of event time)
   * before a vacuum fires; a state replaced within a maker's reaction time (a requote or a
   * cancel sequence at one venue time) never held. 0 = fire on the first update that shows it.
   */
  readonly holdMs: number
  /**
   * Addition to SPEC 2.4: a fresh book with one side empty (every quote of that side pulled) is
   * evaluated as a vacuum: its spread is unbounded and its depth is the side left (near the
   * last mid when `bandDepth` is on). false = a one-sided book never signals (as a stale one).
   */
  readonly oneSided: boolean
}

export type ReversionParams = {
  /** Reverted once the price has retraced at least this fraction of the move (0..1]. */
  readonly retrace: number
  /** How long after the signal a reversion counts, ms of event time. */
  readonly horizonMs: number
}

/** Every parameter of one sport (or the default). */
export type SignalParams = {
  /** Rolling baseline window, ms of event time. */
  readonly baselineWindowMs: number
  /** No signal for a token until this much event time has passed since its first event. */
  readonly warmupMs: number
  /** The "30 s" window: recent volume and price change; also the baseline bucket width. */
  readonly shortWindowMs: number
  /** One signal per type and token per this many ms. */
  readonly cooldownMs: number
  /** A complement-token signal of the mirror type within this many ms is the same crowd move. */
  readonly mirrorWindowMs: number
  /** Book levels per side counted as depth. */
  readonly depthLevels: number
  /**
   * Floor of the volume baseline, shares per short window: a market that never traded would
   * otherwise make any first trade an infinite ratio.
   */
  readonly minBaselineVolume: number
  /**
   * Addition to SPEC 2.4: the longest interval over which a mid change counts as one jump (a
   * repricing on news: makers requoting at once), ms. See `excludeJump`.
   */
  readonly jumpMs: number
  /**
   * Addition to SPEC 2.4: a trade of the complement token counts, mirrored, in this token's
   * short window and volume baseline (a taker selling one outcome at p is a taker buying the
   * other at 1 − p: YES and NO are one book). The venue prints a trade on the taker's token
   * only, so without this each token sees only the part of a crowd that traded it.
   */
  readonly complementTrades: boolean
  readonly panicSell: PanicSellParams
  readonly fomoBuy: FomoBuyParams
  readonly liquidityVacuum: LiquidityVacuumParams
  readonly reversion: ReversionParams
}

export type SignalConfig = {
  readonly default: SignalParams
  /** Fully resolved parameters per sport key (as returned by `sportOf`). */
  readonly sports: Readonly<Record<string, SignalParams>>
  /**
   * Research switch for recordings that start mid-stream without a book snapshot (the NHL tick
   * files): a book whose only staleness is "no snapshot yet" is used while the venue's own best
   * bid and ask (carried on the update) equal the book's. Off by default: live, every stale
   * book is ignored.
   */
  readonly allowUnsyncedBooks: boolean
}

export const DEFAULT_SIGNAL_PARAMS: SignalParams = Object.freeze({
  baselineWindowMs: 60 * 60_000,
  warmupMs: 10 * 60_000,
  shortWindowMs: 30_000,
  cooldownMs: 60_000,
  mirrorWindowMs: 30_000,
  depthLevels: 5,
  minBaselineVolume: 1,
  jumpMs: 1_000,
  complementTrades: true,
  panicSell: Object.freeze({
    enabled: true,
    volumeRatio: 3,
    spreadRatio: 2,
    priceDrop: 0.03,
    sellShare: 0.6,
    scoreVolumeRatio: 5,
    maxOrderShare: 0.5,
    excludeJump: true,
  }),
  fomoBuy: Object.freeze({
    enabled: true,
    volumeRatio: 3,
    priceRise: 0.05,
    buyShare: 0.6,
    scoreVolumeRatio: 5,
    maxOrderShare: 0.5,
    excludeJump: true,
  }),
  liquidityVacuum: Object.freeze({
    enabled: true,
    depthRatio: 0.5,
    spreadRatio: 3,
    minWithdrawnShare: 0.5,
    excludeCrowd: true,
    bandDepth: false,
    holdMs: 0,
    oneSided: false,
  }),
  reversion: Object.freeze({ retrace: 0.5, horizonMs: 180_000 }),
})

export const DEFAULT_SIGNAL_CONFIG: SignalConfig = Object.freeze({
  default: DEFAULT_SIGNAL_PARAMS,
  sports: Object.freeze({}),
  allowUnsyncedBooks: false,
})

/** A bad `signals` config value; `path` names it (`signals.sports.cs2.panicSell.volumeRatio`). */
export class SignalConfigError extends Error {
  readonly code = 'SIGNAL_CONFIG_INVALID'
  readonly path: string

  constructor(path: string, expected: string) {
    super(`${path} ${expected}`)
    this.name = 'SignalConfigError'
    this.path = path
  }
}

type Rule =
  | { readonly kind: 'positive' }
  | { readonly kind: 'fraction' }
  | { readonly kind: 'share' }
  | { readonly kind: 'ms' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'group'; readonly rules: Readonly<Record<string, Rule>> }

const POSITIVE: Rule = { kind: 'positive' }
const FRACTION: Rule = { kind: 'fraction' }
const SHARE: Rule = { kind: 'share' }
const MS: Rule = { kind: 'ms' }
const INT: Rule = { kind: 'int' }
const BOOL: Rule = { kind: 'bool' }

const PARAM_RULES: Readonly<Record<string, Rule>> = {
  baselineWindowMs: MS,
  warmupMs: { kind: 'int' },
  shortWindowMs: MS,
  cooldownMs: { kind: 'int' },
  mirrorWindowMs: { kind: 'int' },
  depthLevels: INT,
  minBaselineVolume: POSITIVE,
  jumpMs: MS,
  complementTrades: BOOL,
  panicSell: {
    kind: 'group',
    rules: {
      enabled: BOOL,
      volumeRatio: POSITIVE,
      spreadRatio: POSITIVE,
      priceDrop: POSITIVE,
      sellShare: FRACTION,
      scoreVolumeRatio: POSITIVE,
      maxOrderShare: FRACTION,
      excludeJump: BOOL,
    },
  },
  fomoBuy: {
    kind: 'group',
    rules: {
      enabled: BOOL,
      volumeRatio: POSITIVE,
      priceRise: POSITIVE,
      buyShare: FRACTION,
      scoreVolumeRatio: POSITIVE,
      maxOrderShare: FRACTION,
      excludeJump: BOOL,
    },
  },
  liquidityVacuum: {
    kind: 'group',
    rules: {
      enabled: BOOL,
      depthRatio: POSITIVE,
      spreadRatio: POSITIVE,
      minWithdrawnShare: SHARE,
      excludeCrowd: BOOL,
      bandDepth: BOOL,
      holdMs: { kind: 'int' },
      oneSided: BOOL,
    },
  },
  reversion: { kind: 'group', rules: { retrace: FRACTION, horizonMs: MS } },
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 30 ? `${value.slice(0, 30)}…` : value}"`
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return typeof value
}

function checkLeaf(rule: Rule, value: unknown, path: string): unknown {
  const got = `; got ${describe(value)}`
  switch (rule.kind) {
    case 'bool':
      if (typeof value !== 'boolean')
        throw new SignalConfigError(path, `must be true or false${got}`)
      return value
    case 'positive':
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
        throw new SignalConfigError(path, `must be a number > 0${got}`)
      return value
    case 'fraction':
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1)
        throw new SignalConfigError(path, `must be a number > 0 and <= 1${got}`)
      return value
    case 'share':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
        throw new SignalConfigError(path, `must be a number >= 0 and <= 1${got}`)
      return value
    case 'ms':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
        throw new SignalConfigError(path, `must be a whole number of milliseconds > 0${got}`)
      return value
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        throw new SignalConfigError(path, `must be a whole number >= 0${got}`)
      return value
    case 'group':
      throw new SignalConfigError(path, 'is a group, not a value')
  }
}

/** Applies a partial override `value` onto `base`, validating every key against `rules`. */
function overlay(
  rules: Readonly<Record<string, Rule>>,
  base: Readonly<Record<string, unknown>>,
  value: unknown,
  path: string,
): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new SignalConfigError(path, `must be an object; got ${describe(value)}`)
  const out: Record<string, unknown> = { ...base }
  for (const [key, item] of Object.entries(value)) {
    const rule = rules[key]
    const itemPath = `${path}.${key}`
    if (rule === undefined) {
      throw new SignalConfigError(
        itemPath,
        `is not a known setting; expected one of ${Object.keys(rules).join(', ')}`,
      )
    }
    out[key] =
      rule.kind === 'group'
        ? Object.freeze(
            overlay(rule.rules, base[key] as Readonly<Record<string, unknown>>, item, itemPath),
          )
        : checkLeaf(rule, item, itemPath)
  }
  return out
}

function checkConsistent(params: SignalParams, path: string): void {
  if (params.depthLevels < 1) {
    throw new SignalConfigError(
      `${path}.depthLevels`,
      `must be a whole number >= 1; got ${params.depthLevels}`,
    )
  }
  if (params.baselineWindowMs < params.shortWindowMs) {
    throw new SignalConfigError(
      `${path}.baselineWindowMs`,
      `must be at least shortWindowMs (${params.shortWindowMs}); got ${params.baselineWindowMs}`,
    )
  }
}

function resolveParams(base: SignalParams, value: unknown, path: string): SignalParams {
  const params = Object.freeze(overlay(PARAM_RULES, base, value, path)) as SignalParams
  checkConsistent(params, path)
  return params
}

/**
 * Validates a user `signals` config and merges it onto {@link DEFAULT_SIGNAL_CONFIG}.
 * `undefined` gives the defaults. Throws {@link SignalConfigError} whose message names the bad
 * path (`signals.sports.cs2.panicSell.volumeRatio must be a number > 0; got -1`).
 */
export function parseSignalConfig(value: unknown, path = 'signals'): SignalConfig {
  if (value === undefined) return DEFAULT_SIGNAL_CONFIG
  if (!isPlainObject(value))
    throw new SignalConfigError(path, `must be an object; got ${describe(value)}`)
  const known = ['default', 'sports', 'allowUnsyncedBooks']
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new SignalConfigError(
        `${path}.${key}`,
        `is not a known setting; expected one of ${known.join(', ')}`,
      )
    }
  }
  const base =
    value.default === undefined
      ? DEFAULT_SIGNAL_PARAMS
      : resolveParams(DEFAULT_SIGNAL_PARAMS, value.default, `${path}.default`)
  const sports: Record<string, SignalParams> = {}
  if (value.sports !== undefined) {
    if (!isPlainObject(value.sports))
      throw new SignalConfigError(
        `${path}.sports`,
        `must be an object keyed by sport; got ${describe(value.sports)}`,
      )
    for (const [sport, override] of Object.entries(value.sports)) {
      sports[sport] = resolveParams(base, override, `${path}.sports.${sport}`)
    }
  }
  let allowUnsyncedBooks = false
  if (value.allowUnsyncedBooks !== undefined) {
    allowUnsyncedBooks = checkLeaf(
      BOOL,
      value.allowUnsyncedBooks,
      `${path}.allowUnsyncedBooks`,
    ) as boolean
  }
  return Object.freeze({ default: base, sports: Object.freeze(sports), allowUnsyncedBooks })
}

/** The parameters for a sport key: its override when configured, else the default. */
export function paramsFor(config: SignalConfig, sport: string | null): SignalParams {
  if (sport === null) return config.default
  return Object.hasOwn(config.sports, sport) ? config.sports[sport]! : config.default
}
