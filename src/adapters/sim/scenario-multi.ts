/**
 * Scenario `multi`: several independent matches served as one scenario, so the simulator can
 * stand in for a busy venue (25 matches × 8 tokens = 200 tokens). Match `i` is a
 * {@link MatchScenario} seeded `seed + i`, so its frames are the ones that match alone would
 * produce; all share one clock. Each step advances every match once and returns their frames
 * in match order.
 */
import type { OrderBook } from '../../domain/book/order-book.js'
import type { EpochMs } from '../../domain/units.js'
import type { Scenario, SimEventInfo, SimFrame, SimLabel } from './scenario.js'
import { MatchScenario } from './scenario-match.js'
import type { WireBook } from './true-book.js'

export type MultiMatchOptions = {
  /** How many matches; 1..1000. */
  readonly matches: number
  /** Seed of the first match; match i gets `seed + i`. */
  readonly seed: number
  readonly startMs?: number
  readonly stepMs?: number
  readonly onLabel?: (label: SimLabel) => void
}

/** Tokens per match: a moneyline and three maps, two outcome tokens each. */
export const TOKENS_PER_MATCH = 8
export const MAX_MATCHES = 1000

export class MultiMatchScenario implements Scenario {
  readonly name = 'multi'
  readonly stepMs: number
  private readonly _matches: MatchScenario[] = []
  private readonly _byToken = new Map<string, MatchScenario>()

  constructor(options: MultiMatchOptions) {
    const { matches, seed } = options
    if (!Number.isInteger(matches) || matches < 1 || matches > MAX_MATCHES) {
      throw new RangeError(`matches must be a whole number 1..${MAX_MATCHES}, got ${matches}`)
    }
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
    for (let i = 0; i < matches; i++) {
      const match = new MatchScenario({
        seed: seed + i,
        ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
        ...(options.stepMs === undefined ? {} : { stepMs: options.stepMs }),
        ...(options.onLabel === undefined ? {} : { onLabel: options.onLabel }),
      })
      this._matches.push(match)
      for (const token of match.assetIds()) this._byToken.set(token, match)
    }
    this.stepMs = this._matches[0]!.stepMs
  }

  /** The matches, in seed order. */
  get matches(): readonly MatchScenario[] {
    return this._matches
  }

  get done(): boolean {
    return this._matches.every((m) => m.done)
  }

  get labels(): readonly SimLabel[] {
    return this._matches.flatMap((m) => m.labels).sort((a, b) => a.ts - b.ts)
  }

  now(): EpochMs {
    return this._matches[0]!.now()
  }

  assetIds(): readonly string[] {
    return this._matches.flatMap((m) => m.assetIds())
  }

  snapshot(assetId: string): WireBook | undefined {
    return this._byToken.get(assetId)?.snapshot(assetId)
  }

  trueBook(assetId: string): OrderBook | undefined {
    return this._byToken.get(assetId)?.trueBook(assetId)
  }

  events(): readonly SimEventInfo[] {
    return this._matches.flatMap((m) => m.events())
  }

  step(): SimFrame[] {
    const frames: SimFrame[] = []
    for (const match of this._matches) {
      for (const frame of match.step()) frames.push(frame)
    }
    return frames
  }
}
